//===- BatchableOpInterface.h - batching rules ------------------*- C++ -*-===//
#ifndef COTAN_INTERFACES_BATCHABLEOPINTERFACE_H
#define COTAN_INTERFACES_BATCHABLEOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir::cotan {
/// The size of the batch dimension. A symbolic batch (vmap over a `?`
/// dimension) is ShapedType::kDynamic together with its `index` value, read
/// from a batched argument; rules creating batched tensors pass that value
/// as a `dynamic_sizes` operand.
class BatchSize {
public:
  explicit BatchSize(int64_t size, Value value = {})
      : size(size), value(value) {}
  /// The static size, or ShapedType::kDynamic.
  operator int64_t() const { return size; }
  bool isDynamic() const { return ShapedType::isDynamic(size); }
  /// The `dynamic_sizes` of a tensor whose leading dimension is the batch:
  /// the size's value when it is dynamic, nothing when it is static.
  SmallVector<Value> dynamicSizes() const {
    return isDynamic() ? SmallVector<Value>{value} : SmallVector<Value>{};
  }

private:
  int64_t size;
  Value value;
};

/// The elementwise batching rule: unbatched operands are broadcast along a
/// new leading dimension and the op is applied to the whole batch.
FailureOr<SmallVector<Value>> batchElementwise(Operation *op, OpBuilder &builder,
                                               ValueRange operands,
                                               ArrayRef<bool> batched,
                                               BatchSize batchSize);
/// `type` with a leading dimension of `batchSize`.
RankedTensorType batchedType(Type type, int64_t batchSize);
/// `value` (unbatched) broadcast along a new leading dimension.
Value broadcastBatch(OpBuilder &builder, Location loc, Value value,
                     BatchSize batchSize);
} // namespace mlir::cotan

#include "cotan/Interfaces/BatchableOpInterface.h.inc"

#endif // COTAN_INTERFACES_BATCHABLEOPINTERFACE_H
