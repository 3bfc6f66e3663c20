//===- ShapeOps.cpp - shape family: shape rules, verifiers, folders -------===//
//
// constant, iota, broadcast_in_dim, reshape, transpose, slice, concatenate,
// pad, reverse, take, dynamic_slice and dynamic_update_slice. Messages carry
// the constraint label that tests/lit/Dialect/invalid.mlir checks.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "FoldUtils.h"
#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {
bool isIdentity(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (int64_t(i) != p)
      return false;
  return true;
}
} // namespace

//===----------------------------------------------------------------------===//
// constant, iota
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  ElementsAttr value = adaptor.getValueAttr();
  if (!value)
    return emitOptionalError(location, "(constant_c1) requires a value");
  inferred.push_back(value.getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

LogicalResult IotaOp::verify() {
  int64_t rank = getType().getRank();
  if (rank == 0)
    return emitOpError("(iota_c1) result must have rank >= 1");
  if (getDimension() < 0 || getDimension() >= rank)
    return emitOpError("(iota_c2) dimension ")
           << getDimension() << " is out of range for a result of rank "
           << rank;
  return verifyDynamicSizes(*this, getType(), getDynamicSizes().size(), "iota_c3");
}

//===----------------------------------------------------------------------===//
// broadcast_in_dim, reshape
//===----------------------------------------------------------------------===//

LogicalResult BroadcastInDimOp::verify() {
  auto operandType = getOperand().getType();
  auto resultType = getType();
  ArrayRef<int64_t> dims = getBroadcastDimensions();
  if (operandType.getElementType() != resultType.getElementType())
    return emitOpError("(broadcast_in_dim_c1) operand element type ")
           << operandType.getElementType()
           << " differs from result element type "
           << resultType.getElementType();
  if (int64_t(dims.size()) != operandType.getRank())
    return emitOpError("(broadcast_in_dim_c2) expects ")
           << operandType.getRank()
           << " broadcast dimensions (the operand rank), got " << dims.size();
  if (failed(checkDimensionSet(getLoc(), dims, resultType.getRank(),
                               "broadcast_in_dim_c3")))
    return failure();
  for (auto [i, d] : llvm::enumerate(dims)) {
    int64_t from = operandType.getDimSize(i);
    int64_t to = resultType.getDimSize(d);
    if (from != 1 && from != to)
      return emitOpError("(broadcast_in_dim_c4) operand dimension ")
             << i << " of size " << formatSize(from)
             << " cannot broadcast to result dimension " << d << " of size "
             << formatSize(to);
  }
  return verifyDynamicSizes(*this, resultType, getDynamicSizes().size(),
                            "broadcast_in_dim_c5");
}

OpFoldResult BroadcastInDimOp::fold(FoldAdaptor adaptor) {
  if (getOperand().getType() == getType() &&
      isIdentity(getBroadcastDimensions()))
    return getOperand();
  auto splat = dyn_cast_if_present<SplatElementsAttr>(adaptor.getOperand());
  if (splat && getType().hasStaticShape())
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return {};
}

LogicalResult ReshapeOp::verify() {
  auto operandType = getOperand().getType();
  auto resultType = getType();
  if (operandType.getElementType() != resultType.getElementType())
    return emitOpError("(reshape_c1) operand element type ")
           << operandType.getElementType()
           << " differs from result element type "
           << resultType.getElementType();
  if (operandType.hasStaticShape() && resultType.hasStaticShape() &&
      operandType.getNumElements() != resultType.getNumElements())
    return emitOpError("(reshape_c2) operand has ")
           << operandType.getNumElements() << " elements but the result has "
           << resultType.getNumElements();
  return verifyDynamicSizes(*this, resultType, getDynamicSizes().size(),
                            "reshape_c3");
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  if (auto inner = getOperand().getDefiningOp<ReshapeOp>()) {
    getOperandMutable().assign(inner.getOperand());
    return getResult();
  }
  auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getOperand());
  if (dense && isFoldableConstant(dense) && getType().hasStaticShape())
    return dense.reshape(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  if (failed(type))
    return failure();
  DenseI64ArrayAttr permAttr = adaptor.getPermutationAttr();
  if (!permAttr)
    return emitOptionalError(location, "(transpose_c1) requires a permutation");
  ArrayRef<int64_t> perm = permAttr.asArrayRef();
  int64_t rank = type->getRank();
  if (int64_t(perm.size()) != rank ||
      failed(checkDimensionSet(std::nullopt, perm, rank, "")))
    return emitOptionalError(location, "(transpose_c1) ", formatDims(perm),
                             " is not a permutation of the operand's ", rank,
                             " dimensions");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type->getDimSize(p));
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (isIdentity(getPermutation()))
    return getOperand();
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(adaptor.getOperand()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return {};
}

namespace {
/// transpose(transpose(x, p), q) -> transpose(x, p o q).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getOperand().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPermutation())
      perm.push_back(inner.getPermutation()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(),
                                             inner.getOperand(), perm);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}

//===----------------------------------------------------------------------===//
// slice, concatenate, pad, reverse
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  if (failed(type))
    return failure();
  if (!adaptor.getStartIndicesAttr() || !adaptor.getLimitIndicesAttr() ||
      !adaptor.getStridesAttr())
    return emitOptionalError(location,
                             "(slice_c1) requires start, limit and strides");
  ArrayRef<int64_t> start = adaptor.getStartIndices();
  ArrayRef<int64_t> limit = adaptor.getLimitIndices();
  ArrayRef<int64_t> strides = adaptor.getStrides();
  int64_t rank = type->getRank();
  if (int64_t(start.size()) != rank || int64_t(limit.size()) != rank ||
      int64_t(strides.size()) != rank)
    return emitOptionalError(location, "(slice_c1) start, limit and strides "
                                       "must each have one entry per operand "
                                       "dimension (",
                             rank, ")");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t size = type->getDimSize(i);
    if (ShapedType::isDynamic(size)) {
      if (start[i] < 0 || limit[i] >= 0 || strides[i] != 1)
        return emitOptionalError(location, "(slice_c4) dimension ", i,
                                 " is dynamic: it needs start >= 0, stride 1 "
                                 "and a limit counted from the end (-1 - e)");
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (start[i] < 0 || start[i] > limit[i] || limit[i] > size)
      return emitOptionalError(location, "(slice_c2) dimension ", i,
                               ": need 0 <= start (", start[i],
                               ") <= limit (", limit[i], ") <= size (", size,
                               ")");
    if (strides[i] <= 0)
      return emitOptionalError(location, "(slice_c3) dimension ", i,
                               ": stride ", strides[i], " must be positive");
    shape.push_back(llvm::divideCeil(limit[i] - start[i], strides[i]));
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  // Equal types take every static dimension whole; a dynamic one is whole
  // when it starts at 0 and runs to the end.
  if (getOperand().getType() != getType())
    return {};
  for (int64_t d = 0; d < getType().getRank(); ++d)
    if (getType().isDynamicDim(d) &&
        (getStartIndices()[d] != 0 || getLimitIndices()[d] != -1))
      return {};
  return getOperand();
}

LogicalResult ConcatenateOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(location, "(concatenate_c1) needs at least one "
                                       "input");
  if (!adaptor.getDimensionAttr())
    return emitOptionalError(location, "(concatenate_c2) requires a dimension");
  auto first = rankedTensor(location, inputs.front().getType(), "input 0");
  if (failed(first))
    return failure();
  int64_t rank = first->getRank();
  int64_t dim = adaptor.getDimension();
  if (dim < 0 || dim >= rank)
    return emitOptionalError(location, "(concatenate_c2) dimension ", dim,
                             " is out of range for rank ", rank);
  if (first->isDynamicDim(dim))
    return emitOptionalError(location, "(concatenate_c5) dimension ", dim,
                             " is dynamic: inputs are joined along a static "
                             "dimension");
  SmallVector<int64_t> shape(first->getShape());
  for (auto [i, input] : llvm::enumerate(inputs.drop_front())) {
    auto type = rankedTensor(location, input.getType(), "input");
    if (failed(type))
      return failure();
    if (type->getElementType() != first->getElementType() ||
        type->getRank() != rank)
      return emitOptionalError(location, "(concatenate_c3) input ", i + 1,
                               " of type ", *type,
                               " does not match the rank and element type "
                               "of input 0, ",
                               *first);
    for (int64_t d = 0; d < rank; ++d) {
      if (d == dim)
        continue;
      if (type->getDimSize(d) != first->getDimSize(d))
        return emitOptionalError(location, "(concatenate_c4) input ", i + 1,
                                 " has size ", formatSize(type->getDimSize(d)),
                                 " in dimension ", d, " but input 0 has ",
                                 formatSize(first->getDimSize(d)));
    }
    if (type->isDynamicDim(dim))
      return emitOptionalError(location, "(concatenate_c5) dimension ", dim,
                               " is dynamic: inputs are joined along a "
                               "static dimension");
    shape[dim] += type->getDimSize(dim);
  }
  inferred.push_back(RankedTensorType::get(shape, first->getElementType()));
  return success();
}

OpFoldResult ConcatenateOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  auto padType =
      rankedTensor(location, adaptor.getPaddingValue().getType(), "padding");
  if (failed(type) || failed(padType))
    return failure();
  if (padType->getRank() != 0 ||
      padType->getElementType() != type->getElementType())
    return emitOptionalError(location, "(pad_c1) padding value must be a 0-d "
                                       "tensor of the operand element type, "
                                       "got ",
                             *padType);
  if (!adaptor.getEdgePaddingLowAttr() || !adaptor.getEdgePaddingHighAttr() ||
      !adaptor.getInteriorPaddingAttr())
    return emitOptionalError(location, "(pad_c2) requires low, high and "
                                       "interior padding");
  ArrayRef<int64_t> low = adaptor.getEdgePaddingLow();
  ArrayRef<int64_t> high = adaptor.getEdgePaddingHigh();
  ArrayRef<int64_t> interior = adaptor.getInteriorPadding();
  int64_t rank = type->getRank();
  if (int64_t(low.size()) != rank || int64_t(high.size()) != rank ||
      int64_t(interior.size()) != rank)
    return emitOptionalError(location, "(pad_c2) low, high and interior "
                                       "padding must each have one entry per "
                                       "operand dimension (",
                             rank, ")");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (low[i] < 0 || high[i] < 0 || interior[i] < 0)
      return emitOptionalError(location, "(pad_c3) dimension ", i,
                               ": padding amounts must be non-negative");
    int64_t size = type->getDimSize(i);
    if (ShapedType::isDynamic(size)) {
      if (interior[i] != 0)
        return emitOptionalError(location, "(pad_c4) dimension ", i,
                                 " is dynamic: it has no interior padding");
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t gaps = size > 0 ? size - 1 : 0;
    shape.push_back(low[i] + size + gaps * interior[i] + high[i]);
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  auto zero = [](int64_t v) { return v == 0; };
  if (llvm::all_of(getEdgePaddingLow(), zero) && llvm::all_of(getEdgePaddingHigh(), zero) &&
      llvm::all_of(getInteriorPadding(), zero))
    return getOperand();
  return {};
}

LogicalResult ReverseOp::verify() {
  if (failed(checkDimensionSet(getLoc(), getDimensions(), getType().getRank(),
                               "reverse_c1")))
    return failure();
  for (int64_t d : getDimensions())
    if (getType().isDynamicDim(d))
      return emitOpError("(reverse_c2) reversed dimension ")
             << d << " of " << getType() << " is dynamic";
  return success();
}

OpFoldResult ReverseOp::fold(FoldAdaptor) {
  if (getDimensions().empty())
    return getOperand();
  if (auto inner = getOperand().getDefiningOp<ReverseOp>()) {
    SmallVector<int64_t> a(getDimensions()), b(inner.getDimensions());
    llvm::sort(a);
    llvm::sort(b);
    if (a == b)
      return inner.getOperand();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// take, dynamic_slice, dynamic_update_slice
//===----------------------------------------------------------------------===//

LogicalResult TakeOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  auto indices =
      rankedTensor(location, adaptor.getIndices().getType(), "indices");
  if (failed(type) || failed(indices))
    return failure();
  if (!adaptor.getAxisAttr())
    return emitOptionalError(location, "(take_c1) requires an axis");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= type->getRank())
    return emitOptionalError(location, "(take_c1) axis ", axis,
                             " is out of range for an operand of rank ",
                             type->getRank());
  if (type->isDynamicDim(axis))
    return emitOptionalError(location, "(take_c3) axis ", axis,
                             " is dynamic: indices are clamped to a static "
                             "size");
  if (type->getDimSize(axis) == 0 &&
      (!indices->hasStaticShape() || indices->getNumElements() != 0))
    return emitOptionalError(location, "(take_c2) cannot take elements from "
                                       "axis ",
                             axis, ", which has size 0");
  SmallVector<int64_t> shape(type->getShape().take_front(axis));
  llvm::append_range(shape, indices->getShape());
  llvm::append_range(shape, type->getShape().drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

LogicalResult DynamicSliceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  if (int64_t(adaptor.getStartIndices().size()) != rank)
    return emitOptionalError(location, "(dynamic_slice_c1) expects ", rank,
                             " start indices (the operand rank), got ",
                             adaptor.getStartIndices().size());
  if (!adaptor.getSliceSizesAttr() ||
      int64_t(adaptor.getSliceSizes().size()) != rank)
    return emitOptionalError(location, "(dynamic_slice_c2) expects ", rank,
                             " slice sizes (the operand rank)");
  ArrayRef<int64_t> sizes = adaptor.getSliceSizes();
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] < 0 || sizes[i] > type->getDimSize(i))
      return emitOptionalError(location, "(dynamic_slice_c3) slice size ",
                               sizes[i], " in dimension ", i,
                               " must lie in [0, ", type->getDimSize(i), "]");
  inferred.push_back(RankedTensorType::get(sizes, type->getElementType()));
  return success();
}

LogicalResult DynamicUpdateSliceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  auto update = rankedTensor(location, adaptor.getUpdate().getType(), "update");
  if (failed(type) || failed(update))
    return failure();
  int64_t rank = type->getRank();
  if (update->getRank() != rank ||
      update->getElementType() != type->getElementType())
    return emitOptionalError(location, "(dynamic_update_slice_c1) update ",
                             *update,
                             " must have the rank and element type of the "
                             "operand ",
                             *type);
  for (int64_t i = 0; i < rank; ++i)
    if (update->getDimSize(i) > type->getDimSize(i))
      return emitOptionalError(location, "(dynamic_update_slice_c2) update "
                                         "dimension ",
                               i, " of size ", update->getDimSize(i),
                               " exceeds the operand's size ",
                               type->getDimSize(i));
  if (int64_t(adaptor.getStartIndices().size()) != rank)
    return emitOptionalError(location, "(dynamic_update_slice_c3) expects ",
                             rank, " start indices (the operand rank), got ",
                             adaptor.getStartIndices().size());
  inferred.push_back(*type);
  return success();
}

//===----------------------------------------------------------------------===//
// Derivative rules (all shape ops are linear in their data operands)
//===----------------------------------------------------------------------===//

namespace {
RankedTensorType tensorTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value scalarZero(OpBuilder &b, Location loc, Type elementType) {
  return splatLike(b, loc, RankedTensorType::get({}, elementType), 0.0);
}
} // namespace

SmallVector<Value> BroadcastInDimOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {BroadcastInDimOp::create(b, getLoc(), getType(), tangents[0],
                                   getBroadcastDimensions(), getDynamicSizes())};
}
// Sum over the new and the expanded dimensions, then restore the operand's
// dimension order and unit dimensions.
SmallVector<Value> BroadcastInDimOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value()};
  Location loc = getLoc();
  auto operandType = tensorTypeOf(getOperand());
  auto resultType = tensorTypeOf(getResult());
  ArrayRef<int64_t> dims = getBroadcastDimensions();
  SmallVector<int64_t> kept; // operand dimensions that survive the sum
  SmallVector<int64_t> reduced;
  for (int64_t d = 0; d < resultType.getRank(); ++d) {
    const auto *it = llvm::find(dims, d);
    int64_t i = it - dims.begin();
    if (it == dims.end() ||
        (operandType.getDimSize(i) == 1 && resultType.getDimSize(d) != 1))
      reduced.push_back(d);
    else
      kept.push_back(i);
  }
  Value sum = reduced.empty()
                  ? ct
                  : Value(ReduceSumOp::create(b, loc, ct, reduced));
  // `kept` lists operand dimensions in result order; sort them.
  SmallVector<int64_t> order = llvm::to_vector(llvm::seq<int64_t>(0, kept.size()));
  llvm::sort(order, [&](int64_t x, int64_t y) { return kept[x] < kept[y]; });
  if (!llvm::is_sorted(kept))
    sum = TransposeOp::create(b, loc, sum, order);
  if (tensorTypeOf(sum) != operandType)
    sum = ReshapeOp::create(b, loc, operandType, sum,
                            dynamicSizesOf(b, loc, operandType, getOperand()));
  return {sum};
}

SmallVector<Value> ReshapeOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {ReshapeOp::create(b, getLoc(), getType(), tangents[0], getDynamicSizes())};
}
SmallVector<Value> ReshapeOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  Location loc = getLoc();
  auto operandType = getOperand().getType();
  return {ReshapeOp::create(b, loc, operandType, cotangents[0],
                            dynamicSizesOf(b, loc, operandType, getOperand()))};
}

SmallVector<Value> TransposeOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {TransposeOp::create(b, getLoc(), tangents[0], getPermutation())};
}
SmallVector<Value> TransposeOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  if (!cotangents[0])
    return {Value()};
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return {TransposeOp::create(b, getLoc(), cotangents[0], inverse)};
}

SmallVector<Value> SliceOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {SliceOp::create(b, getLoc(), tangents[0], getStartIndices(),
                          getLimitIndices(), getStrides())};
}
// The cotangent goes back where the slice read, zeros elsewhere: a pad.
SmallVector<Value> SliceOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value()};
  Location loc = getLoc();
  auto operandType = tensorTypeOf(getOperand());
  auto resultType = tensorTypeOf(getResult());
  if (resultType.hasStaticShape() && resultType.getNumElements() == 0)
    return {splatLike(b, loc, getOperand(), 0.0)};
  SmallVector<int64_t> low, high, interior;
  for (int64_t d = 0; d < operandType.getRank(); ++d) {
    if (operandType.isDynamicDim(d)) { // start, stride 1, e from the end
      low.push_back(getStartIndices()[d]);
      high.push_back(-1 - getLimitIndices()[d]);
      interior.push_back(0);
      continue;
    }
    int64_t start = getStartIndices()[d], stride = getStrides()[d];
    int64_t last = start + (resultType.getDimSize(d) - 1) * stride;
    low.push_back(start);
    high.push_back(operandType.getDimSize(d) - last - 1);
    interior.push_back(stride - 1);
  }
  return {PadOp::create(b, loc, ct,
                        scalarZero(b, loc, operandType.getElementType()), low,
                        high, interior)};
}

SmallVector<Value> ConcatenateOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (allNull(tangents))
    return {Value()};
  Location loc = getLoc();
  SmallVector<Value> parts;
  for (auto [t, input] : llvm::zip(tangents, getInputs()))
    parts.push_back(orZeros(b, loc, t, input));
  return {ConcatenateOp::create(b, loc, parts, getDimension())};
}
SmallVector<Value> ConcatenateOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  SmallVector<Value> grads;
  Value ct = cotangents[0];
  if (!ct)
    return SmallVector<Value>(getInputs().size());
  Location loc = getLoc();
  int64_t dim = getDimension();
  auto resultType = tensorTypeOf(getResult());
  int64_t offset = 0;
  for (Value input : getInputs()) {
    auto type = tensorTypeOf(input);
    SmallVector<int64_t> start(type.getRank(), 0), limit(resultType.getShape());
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t &size : limit)
      if (ShapedType::isDynamic(size))
        size = -1; // a dynamic dimension is taken whole
    start[dim] = offset;
    limit[dim] = offset + type.getDimSize(dim);
    grads.push_back(SliceOp::create(b, loc, ct, start, limit, strides));
    offset = limit[dim];
  }
  return grads;
}

SmallVector<Value> PadOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (allNull(tangents))
    return {Value()};
  Location loc = getLoc();
  return {PadOp::create(b, loc, orZeros(b, loc, tangents[0], getOperand()),
                        orZeros(b, loc, tangents[1], getPaddingValue()),
                        getEdgePaddingLow(), getEdgePaddingHigh(),
                        getInteriorPadding())};
}
// The operand's cotangent is the strided slice the pad wrote it to; the
// padding value receives everything else.
SmallVector<Value> PadOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Location loc = getLoc();
  auto operandType = tensorTypeOf(getOperand());
  Value operandGrad;
  if (operandType.hasStaticShape() && operandType.getNumElements() == 0) {
    operandGrad = splatLike(b, loc, getOperand(), 0.0);
  } else {
    SmallVector<int64_t> start, limit, strides;
    for (int64_t d = 0; d < operandType.getRank(); ++d) {
      if (operandType.isDynamicDim(d)) { // edge padding only: a slice from the end
        start.push_back(getEdgePaddingLow()[d]);
        limit.push_back(-1 - getEdgePaddingHigh()[d]);
        strides.push_back(1);
        continue;
      }
      int64_t step = getInteriorPadding()[d] + 1;
      start.push_back(getEdgePaddingLow()[d]);
      limit.push_back(start.back() + (operandType.getDimSize(d) - 1) * step + 1);
      strides.push_back(step);
    }
    operandGrad = SliceOp::create(b, loc, ct, start, limit, strides);
  }
  auto all = [&](Value v) {
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(0, tensorTypeOf(v).getRank()));
    return ReduceSumOp::create(b, loc, v, dims);
  };
  Value paddingGrad = SubOp::create(b, loc, all(ct), all(operandGrad));
  return {operandGrad, paddingGrad};
}

SmallVector<Value> ReverseOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {ReverseOp::create(b, getLoc(), tangents[0], getDimensions())};
}
SmallVector<Value> ReverseOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return jvp(b, cotangents);
}

SmallVector<Value> TakeOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {TakeOp::create(b, getLoc(), tangents[0], getIndices(), getAxis())};
}
// Scatter-add as a contraction with a one-hot matrix of the (clamped)
// indices: ct_operand[..., j, ...] = sum over positions i with index j.
SmallVector<Value> TakeOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Location loc = getLoc();
  auto operandType = tensorTypeOf(getOperand());
  auto indicesType = tensorTypeOf(getIndices());
  int64_t axis = getAxis();
  int64_t n = operandType.getDimSize(axis);
  int64_t indexRank = indicesType.getRank();
  // Clamp as the lowering does, then compare against iota along a new
  // trailing dimension of size n.
  Value indices = getIndices();
  indices = MaxOp::create(b, loc, indices, splatLike(b, loc, indices, 0.0));
  indices = MinOp::create(b, loc, indices, splatLike(b, loc, indices, double(n - 1)));
  SmallVector<int64_t> hotShape(indicesType.getShape());
  hotShape.push_back(n);
  auto hotIntType = RankedTensorType::get(hotShape, indicesType.getElementType());
  // The indices' dynamic sizes (a symbolic batch), n static.
  SmallVector<Value> sizes = dynamicSizesOf(b, loc, indicesType, indices);
  Value spread = BroadcastInDimOp::create(
      b, loc, hotIntType, indices,
      llvm::to_vector(llvm::seq<int64_t>(0, indexRank)), sizes);
  Value iota = BroadcastInDimOp::create(
      b, loc, hotIntType,
      IotaOp::create(b, loc, RankedTensorType::get({n}, indicesType.getElementType()), 0),
      ArrayRef<int64_t>{indexRank}, sizes);
  Value hot = ConvertOp::create(
      b, loc, RankedTensorType::get(hotShape, operandType.getElementType()),
      CompareOp::create(b, loc, ComparisonDirection::EQ, spread, iota));
  // ct: pre + indices + post; contract the index dimensions with `hot`.
  SmallVector<int64_t> ctDims, hotDims;
  for (int64_t k = 0; k < indexRank; ++k) {
    ctDims.push_back(axis + k);
    hotDims.push_back(k);
  }
  Value summed = DotGeneralOp::create(b, loc, ct, hot, ArrayRef<int64_t>{},
                                      ArrayRef<int64_t>{}, ctDims, hotDims);
  // summed: pre + post + [n] -> pre + [n] + post.
  int64_t rank = operandType.getRank();
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < axis; ++d)
    perm.push_back(d);
  perm.push_back(rank - 1);
  for (int64_t d = axis; d < rank - 1; ++d)
    perm.push_back(d);
  return {TransposeOp::create(b, loc, summed, perm), Value()};
}

SmallVector<Value> DynamicSliceOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return {Value()};
  return {DynamicSliceOp::create(b, getLoc(), tangents[0], getStartIndices(),
                                 getSliceSizes())};
}
SmallVector<Value> DynamicSliceOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  SmallVector<Value> grads(getNumOperands());
  if (!cotangents[0])
    return grads;
  Location loc = getLoc();
  grads[0] = DynamicUpdateSliceOp::create(
      b, loc, splatLike(b, loc, getOperand().getType(), 0.0), cotangents[0],
      getStartIndices());
  return grads;
}

SmallVector<Value> DynamicUpdateSliceOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0] && !tangents[1])
    return {Value()};
  Location loc = getLoc();
  return {DynamicUpdateSliceOp::create(
      b, loc, orZeros(b, loc, tangents[0], getOperand()),
      orZeros(b, loc, tangents[1], getUpdate()), getStartIndices())};
}
SmallVector<Value> DynamicUpdateSliceOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  SmallVector<Value> grads(getNumOperands());
  Value ct = cotangents[0];
  if (!ct)
    return grads;
  Location loc = getLoc();
  auto updateType = tensorTypeOf(getUpdate());
  grads[0] = DynamicUpdateSliceOp::create(
      b, loc, ct, splatLike(b, loc, updateType, 0.0), getStartIndices());
  grads[1] = DynamicSliceOp::create(b, loc, ct, getStartIndices(),
                                    updateType.getShape());
  return grads;
}

//===----------------------------------------------------------------------===//
// Batching rules (the batch dimension is the leading one)
//===----------------------------------------------------------------------===//

namespace {
/// Dimensions shifted past the leading batch dimension.
SmallVector<int64_t> shifted(ArrayRef<int64_t> dims) {
  return llvm::map_to_vector(dims, [](int64_t d) { return d + 1; });
}
} // namespace

FailureOr<SmallVector<Value>> BroadcastInDimOp::batch(OpBuilder &b, ValueRange operands,
                                                      ArrayRef<bool>, BatchSize size) {
  SmallVector<int64_t> dims = {0};
  llvm::append_range(dims, shifted(getBroadcastDimensions()));
  SmallVector<Value> dynamicSizes = size.dynamicSizes();
  llvm::append_range(dynamicSizes, operands.drop_front());
  return SmallVector<Value>{BroadcastInDimOp::create(
      b, getLoc(), batchedType(getType(), size), operands[0], dims, dynamicSizes)};
}

FailureOr<SmallVector<Value>> ReshapeOp::batch(OpBuilder &b, ValueRange operands,
                                               ArrayRef<bool>, BatchSize size) {
  SmallVector<Value> dynamicSizes = size.dynamicSizes();
  llvm::append_range(dynamicSizes, operands.drop_front());
  return SmallVector<Value>{ReshapeOp::create(
      b, getLoc(), batchedType(getType(), size), operands[0], dynamicSizes)};
}

FailureOr<SmallVector<Value>> TransposeOp::batch(OpBuilder &b, ValueRange operands,
                                                 ArrayRef<bool>, BatchSize) {
  SmallVector<int64_t> perm = {0};
  llvm::append_range(perm, shifted(getPermutation()));
  return SmallVector<Value>{TransposeOp::create(b, getLoc(), operands[0], perm)};
}

FailureOr<SmallVector<Value>> SliceOp::batch(OpBuilder &b, ValueRange operands,
                                             ArrayRef<bool>, BatchSize size) {
  // The batch is taken whole; a dynamic one is written as limit -1.
  SmallVector<int64_t> start = {0}, limit = {size.isDynamic() ? -1 : size},
                       strides = {1};
  llvm::append_range(start, getStartIndices());
  llvm::append_range(limit, getLimitIndices());
  llvm::append_range(strides, getStrides());
  return SmallVector<Value>{
      SliceOp::create(b, getLoc(), operands[0], start, limit, strides)};
}

FailureOr<SmallVector<Value>> ConcatenateOp::batch(OpBuilder &b, ValueRange operands,
                                                   ArrayRef<bool> batched,
                                                   BatchSize size) {
  SmallVector<Value> inputs;
  for (auto [v, isBatched] : llvm::zip(operands, batched))
    inputs.push_back(isBatched ? v : broadcastBatch(b, getLoc(), v, size));
  return SmallVector<Value>{
      ConcatenateOp::create(b, getLoc(), inputs, getDimension() + 1)};
}

FailureOr<SmallVector<Value>> ReverseOp::batch(OpBuilder &b, ValueRange operands,
                                               ArrayRef<bool>, BatchSize) {
  return SmallVector<Value>{
      ReverseOp::create(b, getLoc(), operands[0], shifted(getDimensions()))};
}

// A shared padding value pads the batch dimension by nothing.
FailureOr<SmallVector<Value>> PadOp::batch(OpBuilder &b, ValueRange operands,
                                           ArrayRef<bool> batched, BatchSize size) {
  if (batched[1])
    return failure(); // a per-example padding value: the loop handles it
  SmallVector<int64_t> low = {0}, high = {0}, interior = {0};
  llvm::append_range(low, getEdgePaddingLow());
  llvm::append_range(high, getEdgePaddingHigh());
  llvm::append_range(interior, getInteriorPadding());
  return SmallVector<Value>{
      PadOp::create(b, getLoc(), operands[0], operands[1], low, high, interior)};
}

namespace {
/// v with dimension `position` moved to the front.
Value moveToFront(OpBuilder &b, Location loc, Value v, int64_t position) {
  if (position == 0)
    return v;
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> perm = {position};
  for (int64_t d = 0; d < rank; ++d)
    if (d != position)
      perm.push_back(d);
  return TransposeOp::create(b, loc, v, perm);
}

/// Per-example gather over a static batch: operand [B, ..., n (at axis+1),
/// ...] and indices [B, I...] give [B, ..., I..., ...]. The batch is folded
/// into the axis ([..., B*n, ...]) and each example's clamped indices
/// offset by b * n.
Value gatherFolded(OpBuilder &b, Location loc, Value operand, Value indices,
                   int64_t axis, int64_t size) {
  auto operandType = cast<RankedTensorType>(operand.getType());
  auto indicesType = cast<RankedTensorType>(indices.getType());
  int64_t n = operandType.getDimSize(axis + 1); // static: take_c3
  SmallVector<int64_t> perm;
  for (int64_t d = 1; d <= axis; ++d)
    perm.push_back(d);
  perm.push_back(0);
  for (int64_t d = axis + 1; d < operandType.getRank(); ++d)
    perm.push_back(d);
  Value moved = TransposeOp::create(b, loc, operand, perm);
  // [pre, B, n, post] -> [pre, B*n, post]
  SmallVector<int64_t> folded(operandType.getShape().drop_front());
  folded[axis] = size * n;
  SmallVector<Value> foldedSizes;
  for (auto [d, extent] : llvm::enumerate(folded))
    if (ShapedType::isDynamic(extent))
      foldedSizes.push_back(
          tensor::DimOp::create(b, loc, moved, int64_t(d) < axis ? d : d + 1));
  Value flat = ReshapeOp::create(
      b, loc, RankedTensorType::get(folded, operandType.getElementType()), moved,
      foldedSizes);
  indices = MaxOp::create(b, loc, indices, splatLike(b, loc, indices, 0.0));
  indices = MinOp::create(b, loc, indices, splatLike(b, loc, indices, double(n - 1)));
  Value batchIndex = IotaOp::create(b, loc, indicesType, b.getI64IntegerAttr(0),
                                    dynamicSizesOf(b, loc, indicesType, indices));
  Value offsets = MulOp::create(b, loc, batchIndex, splatLike(b, loc, indices, double(n)));
  Value gathered = TakeOp::create(b, loc, flat, AddOp::create(b, loc, indices, offsets), axis);
  // [pre, B, I..., post] -> [B, pre, I..., post].
  return moveToFront(b, loc, gathered, axis);
}

/// Per-example gather over a symbolic batch, where folding would make the
/// take axis dynamic: each example's element is selected by comparing its
/// clamped index with every position of the (static) axis and reduced.
/// It does n times the work of a take, for the small axes (class labels)
/// that per-example gathers usually index.
Value gatherMasked(OpBuilder &b, Location loc, Value operand, Value indices,
                   int64_t axis, BatchSize size) {
  auto operandType = cast<RankedTensorType>(operand.getType());
  auto indicesType = cast<RankedTensorType>(indices.getType());
  int64_t n = operandType.getDimSize(axis + 1); // static: take_c3
  int64_t r = indicesType.getRank() - 1;        // I, after the batch
  int64_t post = operandType.getRank() - axis - 2;
  // Everything in [B, pre, I, n, post]; its `?` sizes in order.
  SmallVector<int64_t> shape = {size};
  SmallVector<Value> sizes = size.dynamicSizes();
  auto append = [&](Value from, int64_t first, int64_t count) {
    auto type = cast<RankedTensorType>(from.getType());
    for (int64_t d = first; d < first + count; ++d) {
      shape.push_back(type.getDimSize(d));
      if (type.isDynamicDim(d))
        sizes.push_back(tensor::DimOp::create(b, loc, from, d));
    }
  };
  append(operand, 1, axis);
  append(indices, 1, r);
  shape.push_back(n);
  append(operand, axis + 2, post);
  int64_t hotDim = 1 + axis + r;
  auto seq = [](int64_t from, int64_t to) {
    return llvm::to_vector(llvm::seq<int64_t>(from, to));
  };
  // The operand's dimensions skip I; the indices' are B and I.
  SmallVector<int64_t> operandDims = seq(0, 1 + axis);
  llvm::append_range(operandDims, seq(hotDim, int64_t(shape.size())));
  SmallVector<int64_t> indexDims = {0};
  llvm::append_range(indexDims, seq(1 + axis, hotDim));

  indices = MaxOp::create(b, loc, indices, splatLike(b, loc, indices, 0.0));
  indices = MinOp::create(b, loc, indices, splatLike(b, loc, indices, double(n - 1)));
  auto indexType = RankedTensorType::get(shape, indicesType.getElementType());
  Value spreadIndices = BroadcastInDimOp::create(b, loc, indexType, indices, indexDims, sizes);
  Value positions = IotaOp::create(b, loc, indexType, b.getI64IntegerAttr(hotDim), sizes);
  Value hot = CompareOp::create(b, loc, ComparisonDirection::EQ, spreadIndices, positions);
  auto spreadType = RankedTensorType::get(shape, operandType.getElementType());
  Value spread = BroadcastInDimOp::create(b, loc, spreadType, operand, operandDims, sizes);
  Value picked = SelectOp::create(b, loc, hot, spread, splatLike(b, loc, spread, 0.0));
  if (operandType.getElementType().isInteger(1))
    return ReduceMaxOp::create(b, loc, picked, ArrayRef<int64_t>{hotDim});
  return ReduceSumOp::create(b, loc, picked, ArrayRef<int64_t>{hotDim});
}

/// Per-example gather: operand [B, ..., n (at axis+1), ...] and indices
/// [B, I...] give [B, ..., I..., ...].
Value gatherPerExample(OpBuilder &b, Location loc, Value operand, Value indices,
                       int64_t axis, BatchSize size) {
  if (size.isDynamic())
    return gatherMasked(b, loc, operand, indices, axis, size);
  return gatherFolded(b, loc, operand, indices, axis, size);
}
} // namespace

// Batched operand only: take along the shifted axis. Batched indices only:
// the batch lands inside the result at the axis and moves to the front.
// Both: a per-example gather.
FailureOr<SmallVector<Value>> TakeOp::batch(OpBuilder &b, ValueRange operands,
                                            ArrayRef<bool> batched, BatchSize size) {
  Location loc = getLoc();
  int64_t axis = getAxis();
  if (!batched[1])
    return SmallVector<Value>{
        TakeOp::create(b, loc, operands[0], operands[1], axis + 1)};
  if (batched[0])
    return SmallVector<Value>{
        gatherPerExample(b, loc, operands[0], operands[1], axis, size)};
  Value gathered = TakeOp::create(b, loc, operands[0], operands[1], axis);
  return SmallVector<Value>{moveToFront(b, loc, gathered, axis)};
}

namespace {
/// A start index of a window of s in a dimension of n, clamped to
/// [0, n - s], and the positions 0 .. length - 1, both spread to [length]
/// (a shared 0-d start) or [B, length] (per-example starts).
std::pair<Value, Value> startAndPositions(OpBuilder &b, Location loc, Value start,
                                          int64_t n, int64_t s, int64_t length) {
  auto startType = cast<RankedTensorType>(start.getType());
  start = MaxOp::create(b, loc, start, splatLike(b, loc, start, 0.0));
  start = MinOp::create(b, loc, start, splatLike(b, loc, start, double(n - s)));
  SmallVector<int64_t> shape(startType.getShape());
  shape.push_back(length);
  auto spreadType = RankedTensorType::get(shape, startType.getElementType());
  SmallVector<Value> batchSize = dynamicSizesOf(b, loc, startType, start);
  int64_t rank = startType.getRank();
  Value iota = IotaOp::create(
      b, loc, RankedTensorType::get({length}, startType.getElementType()), 0);
  Value starts = BroadcastInDimOp::create(
      b, loc, spreadType, start, llvm::to_vector(llvm::seq<int64_t>(0, rank)), batchSize);
  Value positions =
      BroadcastInDimOp::create(b, loc, spreadType, iota, ArrayRef<int64_t>{rank}, batchSize);
  return {starts, positions};
}

/// The window clamp(start, 0, n - s) + [0, s) of one dimension as take
/// indices: [s] for a shared 0-d start, [batch, s] for per-example starts.
Value windowIndices(OpBuilder &b, Location loc, Value start, int64_t n,
                    int64_t s) {
  auto [starts, positions] = startAndPositions(b, loc, start, n, s, s);
  return AddOp::create(b, loc, starts, positions);
}
} // namespace

// Shared start indices over a static batch: the batch dimension starts at
// 0 and is kept whole. Otherwise the window is gathered dimension by
// dimension with take; a batched operand with per-example starts needs a
// per-example gather, which folds a static batch into the axis.
FailureOr<SmallVector<Value>> DynamicSliceOp::batch(OpBuilder &b, ValueRange operands,
                                                    ArrayRef<bool> batched,
                                                    BatchSize size) {
  Location loc = getLoc();
  bool perExampleStarts = llvm::any_of(batched.drop_front(), [](bool x) { return x; });
  if (!perExampleStarts && !size.isDynamic()) {
    Type indexType = operands.size() > 1 ? operands[1].getType()
                                         : RankedTensorType::get({}, b.getI64Type());
    SmallVector<Value> starts = {zerosLike(b, loc, indexType)};
    llvm::append_range(starts, operands.drop_front());
    SmallVector<int64_t> sizes = {size};
    llvm::append_range(sizes, getSliceSizes());
    return SmallVector<Value>{
        DynamicSliceOp::create(b, loc, operands[0], starts, sizes)};
  }
  auto operandType = cast<RankedTensorType>(getOperand().getType());
  Value current = operands[0];
  bool currentBatched = batched[0];
  for (int64_t d = 0; d < operandType.getRank(); ++d) {
    int64_t n = operandType.getDimSize(d), s = getSliceSizes()[d];
    bool startBatched = batched[1 + d];
    if (!startBatched && s == n)
      continue; // the whole dimension: its start clamps to 0
    Value indices = windowIndices(b, loc, operands[1 + d], n, s);
    if (!startBatched) {
      current = TakeOp::create(b, loc, current, indices, d + (currentBatched ? 1 : 0));
    } else if (!currentBatched) {
      // [pre, B, s, post] -> [B, pre, s, post]
      current = moveToFront(b, loc, TakeOp::create(b, loc, current, indices, d), d);
      currentBatched = true;
    } else {
      current = gatherPerExample(b, loc, current, indices, d, size);
    }
  }
  // Some operand is batched, so the window is: the operand, or a start.
  assert(currentBatched && "dynamic_slice batched without a batched operand");
  return SmallVector<Value>{current};
}

// Shared start indices over a static batch: the batch dimension starts at
// 0 and is written whole. Otherwise the update is spread over the operand's
// shape dimension by dimension (position p of an example reads update
// element p - start, gathered like a dynamic_slice's window) and selected
// inside each example's window.
FailureOr<SmallVector<Value>> DynamicUpdateSliceOp::batch(OpBuilder &b,
                                                          ValueRange operands,
                                                          ArrayRef<bool> batched,
                                                          BatchSize size) {
  Location loc = getLoc();
  Value operand = batched[0] ? operands[0] : broadcastBatch(b, loc, operands[0], size);
  Value update = batched[1] ? operands[1] : broadcastBatch(b, loc, operands[1], size);
  bool perExampleStarts = llvm::any_of(batched.drop_front(2), [](bool x) { return x; });
  if (!perExampleStarts && !size.isDynamic()) {
    Type indexType = operands.size() > 2 ? operands[2].getType()
                                         : RankedTensorType::get({}, b.getI64Type());
    SmallVector<Value> starts = {zerosLike(b, loc, indexType)};
    llvm::append_range(starts, operands.drop_front(2));
    return SmallVector<Value>{
        DynamicUpdateSliceOp::create(b, loc, operand, update, starts)};
  }
  auto operandType = cast<RankedTensorType>(getOperand().getType());
  auto updateType = cast<RankedTensorType>(getUpdate().getType());
  auto maskType = cast<RankedTensorType>(operand.getType()).clone(b.getI1Type());
  Value inside;
  for (int64_t d = 0; d < operandType.getRank(); ++d) {
    int64_t n = operandType.getDimSize(d), s = updateType.getDimSize(d);
    if (s == n)
      continue; // the window covers the dimension: its start clamps to 0
    bool startBatched = batched[2 + d];
    // offset[(b,) p] = p - start[(b)]: [n], or [B, n] per example.
    auto [starts, positions] = startAndPositions(b, loc, operands[2 + d], n, s, n);
    Value offsets = SubOp::create(b, loc, positions, starts);
    Value notBefore = CompareOp::create(b, loc, ComparisonDirection::GE, offsets,
                                        splatLike(b, loc, offsets, 0.0));
    Value notAfter = CompareOp::create(b, loc, ComparisonDirection::LT, offsets,
                                       splatLike(b, loc, offsets, double(s)));
    Value member = AndOp::create(b, loc, notBefore, notAfter);
    // Outside the window the offsets clamp to the update's edges (take's
    // semantics); the select below discards those positions.
    update = startBatched
                 ? gatherPerExample(b, loc, update, offsets, d, size)
                 : Value(TakeOp::create(b, loc, update, offsets, d + 1));
    SmallVector<int64_t> memberDims = {d + 1};
    if (startBatched)
      memberDims.insert(memberDims.begin(), 0);
    member = BroadcastInDimOp::create(b, loc, maskType, member, memberDims,
                                      size.dynamicSizes());
    inside = inside ? Value(AndOp::create(b, loc, inside, member)) : member;
  }
  if (!inside)
    return SmallVector<Value>{update}; // the update covers the operand
  return SmallVector<Value>{SelectOp::create(b, loc, inside, update, operand)};
}

//===----------------------------------------------------------------------===//
// Builders shared by rules and lowerings that rearrange tensors
//===----------------------------------------------------------------------===//

Value mlir::cotan::reshapeTo(OpBuilder &b, Location loc, Value value,
                             ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto result = RankedTensorType::get(shape, type.getElementType());
  assert(result.getNumDynamicDims() <= 1 && "reshapeTo infers one `?` size at most");
  SmallVector<Value> dynamicSizes;
  if (result.getNumDynamicDims() == 1) {
    // The elements the static sizes leave for the `?` one.
    auto staticProduct = [](RankedTensorType t) {
      int64_t p = 1;
      for (int64_t size : t.getShape())
        p *= ShapedType::isDynamic(size) ? 1 : size;
      return p;
    };
    int64_t known = staticProduct(result), have = staticProduct(type);
    auto constant = [&](int64_t c) -> Value {
      return arith::ConstantIndexOp::create(b, loc, c);
    };
    Value count; // the product of the operand's dynamic sizes
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      Value size = tensor::DimOp::create(b, loc, value, d);
      count = count ? Value(arith::MulIOp::create(b, loc, count, size)) : size;
    }
    // count * have / known, without the multiply or divide where they cancel.
    Value size;
    if (known == 0 || !count)
      size = constant(known == 0 ? 0 : have / known);
    else if (have == known)
      size = count;
    else if (have % known == 0)
      size = arith::MulIOp::create(b, loc, count, constant(have / known));
    else if (known % have == 0)
      size = arith::DivUIOp::create(b, loc, count, constant(known / have));
    else
      size = arith::DivUIOp::create(
          b, loc, arith::MulIOp::create(b, loc, count, constant(have)), constant(known));
    dynamicSizes.push_back(size);
  }
  return ReshapeOp::create(b, loc, result, value, dynamicSizes);
}

SmallVector<int64_t> mlir::cotan::wholeLimits(RankedTensorType type) {
  return llvm::map_to_vector(type.getShape(), [](int64_t size) {
    return ShapedType::isDynamic(size) ? int64_t(-1) : size;
  });
}

Value mlir::cotan::transposeTo(OpBuilder &b, Location loc, Value value,
                               ArrayRef<int64_t> permutation) {
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return value;
  return TransposeOp::create(b, loc, value, permutation);
}

Value mlir::cotan::swapLeadingDims(OpBuilder &b, Location loc, Value value) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<int64_t> perm = {1, 0};
  llvm::append_range(perm, llvm::seq<int64_t>(2, rank));
  return TransposeOp::create(b, loc, value, perm);
}
