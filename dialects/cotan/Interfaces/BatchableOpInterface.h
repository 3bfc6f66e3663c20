//===- BatchableOpInterface.h - batching rules ------------------*- C++ -*-===//
#ifndef COTAN_INTERFACES_BATCHABLEOPINTERFACE_H
#define COTAN_INTERFACES_BATCHABLEOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir::cotan {
/// The elementwise batching rule: unbatched operands are broadcast along a
/// new leading dimension and the op is applied to the whole batch.
FailureOr<SmallVector<Value>> batchElementwise(Operation *op, OpBuilder &builder,
                                               ValueRange operands,
                                               ArrayRef<bool> batched,
                                               int64_t batchSize);
/// `type` with a leading dimension of `batchSize`.
RankedTensorType batchedType(Type type, int64_t batchSize);
/// `value` (unbatched) broadcast along a new leading dimension.
Value broadcastBatch(OpBuilder &builder, Location loc, Value value,
                     int64_t batchSize);
} // namespace mlir::cotan

#include "cotan/Interfaces/BatchableOpInterface.h.inc"

#endif // COTAN_INTERFACES_BATCHABLEOPINTERFACE_H
