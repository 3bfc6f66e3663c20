//===- CollectiveOps.cpp - collectives: shapes, verifiers, derivatives ----===//
//
// Each collective's derivative is another collective: the tangent goes
// through the same communication, and the cotangent through its transpose
// (all_gather <-> reduce_scatter, all_to_all with its dimensions swapped,
// a sum's cotangent summed again). Batching prepends a dimension, which
// every process has, so the communication is unchanged.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// The group size of `axes` of `mesh`, ignoring invalid axes (the verifier
/// reports them).
int64_t groupSizeOf(ArrayRef<int64_t> mesh, ArrayRef<int64_t> axes) {
  int64_t size = 1;
  for (int64_t axis : axes)
    if (axis >= 0 && axis < int64_t(mesh.size()) && mesh[axis] > 0)
      size *= mesh[axis];
  return size;
}

LogicalResult verifyGroup(Operation *op, ArrayRef<int64_t> mesh,
                          ArrayRef<int64_t> axes) {
  if (mesh.empty())
    return op->emitOpError("(collective_c1) needs a mesh of at least one axis");
  if (llvm::any_of(mesh, [](int64_t size) { return size < 1; }))
    return op->emitOpError("(collective_c1) mesh sizes must be positive, got ")
           << formatDims(mesh);
  if (axes.empty())
    return op->emitOpError("(collective_c2) needs at least one mesh axis");
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= int64_t(mesh.size()))
      return op->emitOpError("(collective_c2) axis ")
             << axis << " is out of range for a mesh of rank " << mesh.size();
    if (!seen.insert(axis).second)
      return op->emitOpError("(collective_c2) axis ") << axis << " repeats";
  }
  return success();
}

/// The type of `operand` with dimension `dim` multiplied (`factor` > 0) or
/// divided (exactly) by `factor`; an error when it does not divide.
FailureOr<RankedTensorType> resizeDim(std::optional<Location> location,
                                      Type operand, int64_t dim,
                                      int64_t factor, bool divide,
                                      StringRef what) {
  auto type = rankedTensor(location, operand, "operand");
  if (failed(type))
    return failure();
  if (dim < 0 || dim >= type->getRank())
    return emitOptionalError(location, "(collective_c3) ", what, " ", dim,
                             " is out of range for rank ", type->getRank());
  SmallVector<int64_t> shape(type->getShape());
  if (divide) {
    if (shape[dim] % factor != 0)
      return emitOptionalError(location, "(collective_c4) ", what, " ", dim,
                               " of size ", shape[dim],
                               " does not split into ", factor,
                               " blocks, one per process of the group");
    shape[dim] /= factor;
  } else {
    shape[dim] *= factor;
  }
  return type->clone(shape);
}

Value allReduceSum(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> mesh, ArrayRef<int64_t> axes) {
  return AllReduceOp::create(b, loc, CollectiveReduction::Sum, value, mesh,
                             axes);
}

/// The operand of a collective whose group is one process.
template <typename Op>
OpFoldResult foldSingleProcess(Op op) {
  if (op.getGroupSize() != 1 || op.getOperand().getType() != op.getType())
    return {};
  return op.getOperand();
}

/// The collective `op` applied to `value` instead of its operand (a
/// tangent takes the same communication as its primal); null for null.
Value sameCollective(OpBuilder &b, Operation *op, Value value) {
  if (!value)
    return {};
  Operation *copy = b.clone(*op);
  copy->setOperand(0, value);
  return copy->getResult(0);
}

} // namespace

OpFoldResult AllReduceOp::fold(FoldAdaptor) { return foldSingleProcess(*this); }
OpFoldResult AllGatherOp::fold(FoldAdaptor) { return foldSingleProcess(*this); }
OpFoldResult ReduceScatterOp::fold(FoldAdaptor) { return foldSingleProcess(*this); }
OpFoldResult AllToAllOp::fold(FoldAdaptor) { return foldSingleProcess(*this); }
OpFoldResult CollectiveBroadcastOp::fold(FoldAdaptor) {
  return foldSingleProcess(*this);
}

OpFoldResult AxisIndexOp::fold(FoldAdaptor) {
  if (getGroupSize() != 1)
    return {};
  return DenseElementsAttr::get(getType(), APInt(32, 0));
}

//===----------------------------------------------------------------------===//
// all_reduce
//===----------------------------------------------------------------------===//

int64_t AllReduceOp::getGroupSize() { return groupSizeOf(getMesh(), getAxes()); }

LogicalResult AllReduceOp::verify() {
  return verifyGroup(*this, getMesh(), getAxes());
}

/// For max and min: each process's share of the derivative, 1/k on the k
/// processes whose value is the extremum, 0 elsewhere.
static Value extremumShare(OpBuilder &b, AllReduceOp op) {
  Location loc = op.getLoc();
  Value hit = CompareOp::create(b, loc, ComparisonDirection::EQ,
                                op.getOperand(), op.getResult());
  Value weight = ConvertOp::create(b, loc, op.getType(), hit);
  Value ties = allReduceSum(b, loc, weight, op.getMesh(), op.getAxes());
  return DivOp::create(b, loc, weight, ties);
}

SmallVector<Value> AllReduceOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  Value t = tangents[0];
  if (!t || !isa<FloatType>(getType().getElementType()))
    return {Value()};
  if (getReduction() != CollectiveReduction::Sum)
    t = MulOp::create(b, getLoc(), t, extremumShare(b, *this));
  return {allReduceSum(b, getLoc(), t, getMesh(), getAxes())};
}

SmallVector<Value> AllReduceOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value c = cotangents[0];
  if (!c || !isa<FloatType>(getType().getElementType()))
    return {Value()};
  // Every process's result depends on every operand: the cotangents of all
  // the results are summed.
  Value total = allReduceSum(b, getLoc(), c, getMesh(), getAxes());
  if (getReduction() == CollectiveReduction::Sum)
    return {total};
  return {MulOp::create(b, getLoc(), total, extremumShare(b, *this))};
}

FailureOr<SmallVector<Value>> AllReduceOp::batch(OpBuilder &b, ValueRange operands,
                                                 ArrayRef<bool>, BatchSize size) {
  if (size.isDynamic())
    return failure(); // collectives move static shapes only
  return SmallVector<Value>{AllReduceOp::create(b, getLoc(), getReduction(),
                                                operands[0], getMesh(), getAxes())};
}

//===----------------------------------------------------------------------===//
// all_gather and reduce_scatter
//===----------------------------------------------------------------------===//

int64_t AllGatherOp::getGroupSize() { return groupSizeOf(getMesh(), getAxes()); }

LogicalResult AllGatherOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = resizeDim(location, adaptor.getOperand().getType(),
                        adaptor.getDimension(),
                        groupSizeOf(adaptor.getMesh(), adaptor.getAxes()),
                        /*divide=*/false, "dimension");
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult AllGatherOp::verify() {
  return verifyGroup(*this, getMesh(), getAxes());
}

SmallVector<Value> AllGatherOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {sameCollective(b, *this, tangents[0])};
}

SmallVector<Value> AllGatherOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  return {ReduceScatterOp::create(b, getLoc(), cotangents[0], getDimension(),
                                  getMesh(), getAxes())};
}

FailureOr<SmallVector<Value>> AllGatherOp::batch(OpBuilder &b, ValueRange operands,
                                                 ArrayRef<bool>, BatchSize size) {
  if (size.isDynamic())
    return failure(); // collectives move static shapes only
  return SmallVector<Value>{AllGatherOp::create(b, getLoc(), operands[0],
                                                getDimension() + 1, getMesh(),
                                                getAxes())};
}

int64_t ReduceScatterOp::getGroupSize() {
  return groupSizeOf(getMesh(), getAxes());
}

LogicalResult ReduceScatterOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto type = resizeDim(location, adaptor.getOperand().getType(),
                        adaptor.getDimension(),
                        groupSizeOf(adaptor.getMesh(), adaptor.getAxes()),
                        /*divide=*/true, "dimension");
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult ReduceScatterOp::verify() {
  return verifyGroup(*this, getMesh(), getAxes());
}

SmallVector<Value> ReduceScatterOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {sameCollective(b, *this, tangents[0])};
}

SmallVector<Value> ReduceScatterOp::vjp(OpBuilder &b,
                                        ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  return {AllGatherOp::create(b, getLoc(), cotangents[0], getDimension(),
                              getMesh(), getAxes())};
}

FailureOr<SmallVector<Value>> ReduceScatterOp::batch(OpBuilder &b,
                                                     ValueRange operands,
                                                     ArrayRef<bool>, BatchSize size) {
  if (size.isDynamic())
    return failure(); // collectives move static shapes only
  return SmallVector<Value>{ReduceScatterOp::create(
      b, getLoc(), operands[0], getDimension() + 1, getMesh(), getAxes())};
}

//===----------------------------------------------------------------------===//
// all_to_all
//===----------------------------------------------------------------------===//

int64_t AllToAllOp::getGroupSize() { return groupSizeOf(getMesh(), getAxes()); }

LogicalResult AllToAllOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  int64_t group = groupSizeOf(adaptor.getMesh(), adaptor.getAxes());
  auto split = resizeDim(location, adaptor.getOperand().getType(),
                         adaptor.getSplitDimension(), group, /*divide=*/true,
                         "split dimension");
  if (failed(split))
    return failure();
  auto type = resizeDim(location, *split, adaptor.getConcatDimension(), group,
                        /*divide=*/false, "concat dimension");
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult AllToAllOp::verify() {
  return verifyGroup(*this, getMesh(), getAxes());
}

SmallVector<Value> AllToAllOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {sameCollective(b, *this, tangents[0])};
}

SmallVector<Value> AllToAllOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  return {AllToAllOp::create(b, getLoc(), cotangents[0], getConcatDimension(),
                             getSplitDimension(), getMesh(), getAxes())};
}

FailureOr<SmallVector<Value>> AllToAllOp::batch(OpBuilder &b, ValueRange operands,
                                                ArrayRef<bool>, BatchSize size) {
  if (size.isDynamic())
    return failure(); // collectives move static shapes only
  return SmallVector<Value>{AllToAllOp::create(
      b, getLoc(), operands[0], getSplitDimension() + 1,
      getConcatDimension() + 1, getMesh(), getAxes())};
}

//===----------------------------------------------------------------------===//
// collective_broadcast and axis_index
//===----------------------------------------------------------------------===//

int64_t CollectiveBroadcastOp::getGroupSize() {
  return groupSizeOf(getMesh(), getAxes());
}

LogicalResult CollectiveBroadcastOp::verify() {
  if (failed(verifyGroup(*this, getMesh(), getAxes())))
    return failure();
  if (getRoot() < 0 || getRoot() >= getGroupSize())
    return emitOpError("(collective_c5) root ")
           << getRoot() << " is not a position in a group of "
           << getGroupSize();
  return success();
}

SmallVector<Value> CollectiveBroadcastOp::jvp(OpBuilder &b,
                                              ArrayRef<Value> tangents) {
  return {sameCollective(b, *this, tangents[0])};
}

SmallVector<Value> CollectiveBroadcastOp::vjp(OpBuilder &b,
                                              ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  Location loc = getLoc();
  Type type = getType();
  Value total = allReduceSum(b, loc, cotangents[0], getMesh(), getAxes());
  auto scalar = RankedTensorType::get({}, b.getI32Type());
  Value position = AxisIndexOp::create(b, loc, scalar, getMesh(), getAxes());
  Value isRoot = CompareOp::create(
      b, loc, ComparisonDirection::EQ, position,
      splatLike(b, loc, scalar, double(getRoot())));
  auto mask = cast<RankedTensorType>(type).clone(b.getI1Type());
  isRoot = BroadcastInDimOp::create(b, loc, mask, isRoot, ArrayRef<int64_t>{});
  return {SelectOp::create(b, loc, isRoot, total, zerosLike(b, loc, type))};
}

FailureOr<SmallVector<Value>>
CollectiveBroadcastOp::batch(OpBuilder &b, ValueRange operands, ArrayRef<bool>,
                             BatchSize size) {
  if (size.isDynamic())
    return failure(); // collectives move static shapes only
  return SmallVector<Value>{CollectiveBroadcastOp::create(
      b, getLoc(), operands[0], getRoot(), getMesh(), getAxes())};
}

int64_t AxisIndexOp::getGroupSize() { return groupSizeOf(getMesh(), getAxes()); }

LogicalResult AxisIndexOp::verify() {
  return verifyGroup(*this, getMesh(), getAxes());
}
