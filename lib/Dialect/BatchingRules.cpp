//===- BatchingRules.cpp - the batching interface and its shared rule -----===//
//
// The batch dimension is always the leading one: rules receive operands
// that may carry it and return results that all carry it.
//
//===----------------------------------------------------------------------===//

#include "cotan/IR/CotanOps.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

#include "cotan/Interfaces/BatchableOpInterface.cpp.inc"

RankedTensorType mlir::cotan::batchedType(Type type, int64_t batchSize) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape = {batchSize};
  llvm::append_range(shape, tensor.getShape());
  return RankedTensorType::get(shape, tensor.getElementType());
}

Value mlir::cotan::broadcastBatch(OpBuilder &b, Location loc, Value value,
                                  BatchSize batchSize) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> dims =
      llvm::to_vector(llvm::seq<int64_t>(1, type.getRank() + 1));
  SmallVector<Value> dynamicSizes = batchSize.dynamicSizes();
  llvm::append_range(dynamicSizes, dynamicSizesOf(b, loc, type, value));
  return BroadcastInDimOp::create(b, loc, batchedType(type, batchSize), value,
                                  dims, dynamicSizes);
}

FailureOr<SmallVector<Value>>
mlir::cotan::batchElementwise(Operation *op, OpBuilder &b, ValueRange operands,
                              ArrayRef<bool> batched, BatchSize batchSize) {
  IRMapping map;
  for (auto [original, value, isBatched] :
       llvm::zip(op->getOperands(), operands, batched))
    map.map(original, isBatched ? value
                                : broadcastBatch(b, op->getLoc(), value, batchSize));
  Operation *batchedOp = b.clone(*op, map);
  for (OpResult result : batchedOp->getResults())
    result.setType(batchedType(result.getType(), batchSize));
  return SmallVector<Value>(batchedOp->getResults());
}
