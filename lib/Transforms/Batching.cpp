//===- Batching.cpp - batched functions from the ops' batching rules ------===//
//
// The batched version of f maps each op to its batching rule when one of its
// operands carries the (leading) batch dimension; ops on unbatched values
// are cloned as they are. When an op has no rule, or its rule declines, the
// op runs once per batch element and the results are concatenated.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

/// The loop fallback: slice element i of every batched operand, apply the
/// op, and concatenate the results along a new leading dimension. It needs
/// static shapes: over a symbolic batch the op is reported instead.
static FailureOr<SmallVector<Value>> batchByLoop(Operation *op, OpBuilder &b,
                                                 ValueRange operands,
                                                 ArrayRef<bool> batched,
                                                 int64_t size) {
  auto isStatic = [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return !tensor || tensor.hasStaticShape();
  };
  if (ShapedType::isDynamic(size))
    return op->emitOpError(
        "cannot be batched over a symbolic batch size: it has no batching rule "
        "for one, and looping over the batch needs its size; keep the mapped "
        "dimension static (`_` in polymorphic_shapes)");
  if (!llvm::all_of(TypeRange(operands), isStatic) ||
      !llvm::all_of(op->getResultTypes(), isStatic))
    return op->emitOpError(
        "cannot be batched with symbolic dimensions in its operands: it has no "
        "batching rule for them, and looping over the batch needs static shapes");
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

/// tensor.dim of a batched value: dimension k of an example is dimension
/// k + 1 of the batch, the same for every example (an unbatched index).
static Value batchDim(OpBuilder &b, tensor::DimOp dim, Value batched,
                      Value index) {
  Location loc = dim.getLoc();
  if (std::optional<int64_t> k = getConstantIntValue(index))
    return tensor::DimOp::create(b, loc, batched, *k + 1);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  return tensor::DimOp::create(b, loc, batched,
                               arith::AddIOp::create(b, loc, index, one));
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
  // A symbolic batch is read once from the first batched argument.
  BatchSize size(batchSize);
  if (ShapedType::isDynamic(batchSize)) {
    const bool *first = llvm::find(batched, true);
    size = BatchSize(batchSize,
                     tensor::DimOp::create(b, function.getLoc(),
                                           entry->getArgument(first - batched.begin()), 0));
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
    if (auto dim = dyn_cast<tensor::DimOp>(op)) {
      map.map(dim.getResult(), batchDim(b, dim, operands[0], operands[1]));
      continue;
    }
    FailureOr<SmallVector<Value>> out = failure();
    if (auto rule = dyn_cast<BatchableOpInterface>(op))
      out = rule.batch(b, operands, mask, size);
    if (failed(out))
      out = batchByLoop(&op, b, operands, mask, batchSize);
    if (failed(out))
      return failure();
    for (auto [original, value] : llvm::zip(op.getResults(), *out)) {
      map.map(original, value);
      isBatchedValue.insert(value);
    }
  }
  SmallVector<Value> returned;
  for (Value v : body.getTerminator()->getOperands()) {
    Value mapped = map.lookup(v);
    returned.push_back(isBatchedValue.contains(mapped)
                           ? mapped
                           : broadcastBatch(b, v.getLoc(), mapped, size));
  }
  func::ReturnOp::create(b, body.getTerminator()->getLoc(), returned);
  return batchedFn;
}
