//===- Batching.cpp - batched functions from the ops' batching rules ------===//
//
// The batched version of f maps each op to its batching rule when one of its
// operands carries the (leading) batch dimension; ops on unbatched values
// are cloned as they are. When an op has no rule, or its rule declines, the
// op runs once per batch element and the results are concatenated.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

/// The loop fallback: slice element i of every batched operand, apply the
/// op, and concatenate the results along a new leading dimension.
static SmallVector<Value> batchByLoop(Operation *op, OpBuilder &b,
                                      ValueRange operands,
                                      ArrayRef<bool> batched, int64_t size) {
  Location loc = op->getLoc();
  SmallVector<SmallVector<Value>> perResult(op->getNumResults());
  for (int64_t i = 0; i < size; ++i) {
    IRMapping map;
    for (auto [original, value, isBatched] :
         llvm::zip(op->getOperands(), operands, batched)) {
      if (!isBatched) {
        map.map(original, value);
        continue;
      }
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> start(type.getRank(), 0), limit(type.getShape());
      SmallVector<int64_t> strides(type.getRank(), 1);
      start[0] = i;
      limit[0] = i + 1;
      Value slice = SliceOp::create(b, loc, value, start, limit, strides);
      map.map(original, ReshapeOp::create(b, loc, original.getType(), slice));
    }
    Operation *clone = b.clone(*op, map);
    for (auto [k, result] : llvm::enumerate(clone->getResults()))
      perResult[k].push_back(
          ReshapeOp::create(b, loc, batchedType(result.getType(), 1), result));
  }
  SmallVector<Value> results;
  for (auto [k, result] : llvm::enumerate(op->getResults())) {
    if (size == 0)
      results.push_back(zerosLike(b, loc, batchedType(result.getType(), 0)));
    else
      results.push_back(ConcatenateOp::create(b, loc, perResult[k], 0));
  }
  return results;
}

FailureOr<func::FuncOp> mlir::cotan::buildBatchedFunction(
    func::FuncOp function, StringRef name, ArrayRef<bool> batched,
    int64_t batchSize, SymbolTable &symbols) {
  FunctionType type = function.getFunctionType();
  SmallVector<Type> inputs, results;
  for (auto [t, isBatched] : llvm::zip(type.getInputs(), batched))
    inputs.push_back(isBatched ? batchedType(t, batchSize) : t);
  for (Type t : type.getResults())
    results.push_back(batchedType(t, batchSize));
  OpBuilder b(function.getContext());
  FailureOr<func::FuncOp> derived = createDerivedFunction(
      function, "batched", name, inputs, results, symbols, b);
  if (failed(derived))
    return failure();
  func::FuncOp batchedFn = *derived;
  Block *entry = &batchedFn.front();

  Block &body = function.front();
  IRMapping map;
  DenseSet<Value> isBatchedValue;
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    map.map(arg, entry->getArgument(i));
    if (batched[i])
      isBatchedValue.insert(entry->getArgument(i));
  }
  for (Operation &op : body.without_terminator()) {
    SmallVector<Value> operands = llvm::map_to_vector(
        op.getOperands(), [&](Value v) { return map.lookup(v); });
    SmallVector<bool> mask = llvm::map_to_vector(
        operands, [&](Value v) { return isBatchedValue.contains(v); });
    if (llvm::none_of(mask, [](bool m) { return m; })) {
      b.clone(op, map);
      continue;
    }
    FailureOr<SmallVector<Value>> out = failure();
    if (auto rule = dyn_cast<BatchableOpInterface>(op))
      out = rule.batch(b, operands, mask, batchSize);
    SmallVector<Value> values =
        succeeded(out) ? *out : batchByLoop(&op, b, operands, mask, batchSize);
    for (auto [original, value] : llvm::zip(op.getResults(), values)) {
      map.map(original, value);
      isBatchedValue.insert(value);
    }
  }
  SmallVector<Value> returned;
  for (Value v : body.getTerminator()->getOperands()) {
    Value mapped = map.lookup(v);
    returned.push_back(isBatchedValue.contains(mapped)
                           ? mapped
                           : broadcastBatch(b, v.getLoc(), mapped, batchSize));
  }
  func::ReturnOp::create(b, body.getTerminator()->getLoc(), returned);
  return batchedFn;
}
