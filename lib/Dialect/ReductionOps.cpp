//===- ReductionOps.cpp - reduce_* and argmax/argmin shape rules ----------===//

#include "DerivativeRules.h"
#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

LogicalResult mlir::cotan::inferReduceType(std::optional<Location> location,
                                           Type operandType,
                                           ArrayRef<int64_t> dimensions,
                                           SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, operandType, "operand");
  if (failed(type) || failed(checkDimensionSet(location, dimensions,
                                               type->getRank(), "reduce_c1")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type->getRank(); ++d)
    if (!llvm::is_contained(dimensions, d))
      shape.push_back(type->getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

LogicalResult mlir::cotan::verifyArgReduce(Operation *op, Type operandType,
                                           int64_t dimension,
                                           Type resultType) {
  auto operand = cast<RankedTensorType>(operandType);
  auto result = cast<RankedTensorType>(resultType);
  if (dimension < 0 || dimension >= operand.getRank())
    return op->emitOpError("(arg_reduce_c1) dimension ")
           << dimension << " is out of range for an operand of rank "
           << operand.getRank();
  if (operand.getDimSize(dimension) == 0)
    return op->emitOpError("(arg_reduce_c3) dimension ")
           << dimension << " has size 0: there is no extreme element";
  SmallVector<int64_t> shape(operand.getShape());
  shape.erase(shape.begin() + dimension);
  if (result.getShape() != ArrayRef<int64_t>(shape))
    return op->emitOpError("(arg_reduce_c2) result shape must be the operand "
                           "shape without dimension ")
           << dimension << ", got " << result;
  return success();
}

//===----------------------------------------------------------------------===//
// Derivative rules
//===----------------------------------------------------------------------===//

SmallVector<Value> ReduceSumOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {ReduceSumOp::create(b, getLoc(), tangents[0], getDimensions())};
}
SmallVector<Value> ReduceSumOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  return {broadcastBack(b, getLoc(), cotangents[0], getOperand(),
                        getDimensions())};
}

// d prod = prod * sum(dx / x). (Exact zeros in the operand give NaN/inf
// here; a product-of-the-others rule is future work.)
SmallVector<Value> ReduceProdOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  Location loc = getLoc();
  Value scaled = MulOp::create(b, loc, cotangents[0], getResult());
  return {DivOp::create(b, loc,
                        broadcastBack(b, loc, scaled, getOperand(), getDimensions()),
                        getOperand())};
}
SmallVector<Value> ReduceProdOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  Location loc = getLoc();
  Value ratio = DivOp::create(b, loc, tangents[0], getOperand());
  return {MulOp::create(b, loc, getResult(),
                        ReduceSumOp::create(b, loc, ratio, getDimensions()))};
}

namespace {
/// 1/k at each of the k positions holding the extreme value, 0 elsewhere:
/// ties share the derivative, as in JAX.
template <typename OpTy>
Value extremeMask(OpTy op, OpBuilder &b) {
  Location loc = op.getLoc();
  Type type = op.getOperand().getType();
  Value spread =
      broadcastBack(b, loc, op.getResult(), op.getOperand(), op.getDimensions());
  Value hit = ConvertOp::create(
      b, loc, type,
      CompareOp::create(b, loc, ComparisonDirection::EQ, op.getOperand(), spread));
  Value count = ReduceSumOp::create(b, loc, hit, op.getDimensions());
  return DivOp::create(b, loc, hit,
                       broadcastBack(b, loc, count, op.getOperand(),
                                     op.getDimensions()));
}

template <typename OpTy>
SmallVector<Value> extremeReduceJvp(OpTy op, OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  Location loc = op.getLoc();
  return {ReduceSumOp::create(
      b, loc, MulOp::create(b, loc, tangents[0], extremeMask(op, b)),
      op.getDimensions())};
}

template <typename OpTy>
SmallVector<Value> extremeReduceVjp(OpTy op, OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  Location loc = op.getLoc();
  Value spread = broadcastBack(b, loc, cotangents[0], op.getOperand(),
                               op.getDimensions());
  return {MulOp::create(b, loc, spread, extremeMask(op, b))};
}
} // namespace

SmallVector<Value> ReduceMaxOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return extremeReduceJvp(*this, b, tangents);
}
SmallVector<Value> ReduceMaxOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return extremeReduceVjp(*this, b, cotangents);
}
SmallVector<Value> ReduceMinOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return extremeReduceJvp(*this, b, tangents);
}
SmallVector<Value> ReduceMinOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return extremeReduceVjp(*this, b, cotangents);
}

//===----------------------------------------------------------------------===//
// Batching rules: reduce over the same dimensions, one past the batch
//===----------------------------------------------------------------------===//

namespace {
template <typename OpTy>
FailureOr<SmallVector<Value>> batchReduce(OpTy op, OpBuilder &b, ValueRange operands) {
  SmallVector<int64_t> dims =
      llvm::map_to_vector(op.getDimensions(), [](int64_t d) { return d + 1; });
  return SmallVector<Value>{OpTy::create(b, op.getLoc(), operands[0], dims)};
}

template <typename OpTy>
FailureOr<SmallVector<Value>> batchArgReduce(OpTy op, OpBuilder &b, ValueRange operands,
                                             int64_t size) {
  return SmallVector<Value>{OpTy::create(b, op.getLoc(),
                                         batchedType(op.getType(), size),
                                         operands[0], op.getDimension() + 1)};
}
} // namespace

FailureOr<SmallVector<Value>> ReduceSumOp::batch(OpBuilder &b, ValueRange operands,
                                                 ArrayRef<bool>, BatchSize) {
  return batchReduce(*this, b, operands);
}
FailureOr<SmallVector<Value>> ReduceProdOp::batch(OpBuilder &b, ValueRange operands,
                                                  ArrayRef<bool>, BatchSize) {
  return batchReduce(*this, b, operands);
}
FailureOr<SmallVector<Value>> ReduceMaxOp::batch(OpBuilder &b, ValueRange operands,
                                                 ArrayRef<bool>, BatchSize) {
  return batchReduce(*this, b, operands);
}
FailureOr<SmallVector<Value>> ReduceMinOp::batch(OpBuilder &b, ValueRange operands,
                                                 ArrayRef<bool>, BatchSize) {
  return batchReduce(*this, b, operands);
}
FailureOr<SmallVector<Value>> ArgMaxOp::batch(OpBuilder &b, ValueRange operands,
                                              ArrayRef<bool>, BatchSize size) {
  return batchArgReduce(*this, b, operands, size);
}
FailureOr<SmallVector<Value>> ArgMinOp::batch(OpBuilder &b, ValueRange operands,
                                              ArrayRef<bool>, BatchSize size) {
  return batchArgReduce(*this, b, operands, size);
}
