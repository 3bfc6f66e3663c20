//===- ConvolutionOp.cpp - convolution shape, derivative and batching rules ===//
//
// Layouts are fixed: lhs [N, C, in...], rhs [O, C/G, window...], result
// [N, O, out...]. Both cotangents are convolutions again (JAX's rules): the
// input's is a convolution of the result cotangent with the flipped filters
// (strides and input dilation trade places), the filters' one of the input
// with the result cotangent (batch and feature dimensions trade places).
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// The size of `size` elements with `dilation - 1` holes between each.
int64_t dilated(int64_t size, int64_t dilation) {
  return size == 0 ? 0 : (size - 1) * dilation + 1;
}

/// The convolution's window parameters, one entry per spatial dimension.
struct Window {
  SmallVector<int64_t> strides, low, high, lhsDilation, rhsDilation;
  int64_t groups;
};

Window windowOf(ConvolutionOp op) {
  return {llvm::to_vector(op.getWindowStrides()),
          llvm::to_vector(op.getPaddingLow()),
          llvm::to_vector(op.getPaddingHigh()),
          llvm::to_vector(op.getLhsDilation()),
          llvm::to_vector(op.getRhsDilation()),
          op.getFeatureGroupCount()};
}

Value convolve(OpBuilder &b, Location loc, Value lhs, Value rhs,
               const Window &w) {
  return ConvolutionOp::create(b, loc, lhs, rhs, w.strides, w.low, w.high,
                               w.lhsDilation, w.rhsDilation, w.groups);
}

/// Slice [start, start + size) of dimension `dim`.
Value sliceDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t start, int64_t size) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> begin(type.getRank(), 0), limit = wholeLimits(type),
                                                 strides(type.getRank(), 1);
  begin[dim] = start;
  limit[dim] = start + size;
  return SliceOp::create(b, loc, value, begin, limit, strides);
}

} // namespace

LogicalResult ConvolutionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto operands = sameElementOperands(location, adaptor.getLhs().getType(),
                                      adaptor.getRhs().getType(), "convolution_c1");
  if (failed(operands))
    return failure();
  auto [lhs, rhs] = *operands;
  int64_t rank = lhs.getRank();
  if (rank < 3 || rhs.getRank() != rank)
    return emitOptionalError(location, "(convolution_c2) lhs and rhs need the "
                                       "same rank >= 3 ([N, C, spatial...] and "
                                       "[O, C/G, window...]), got ",
                             rank, " and ", rhs.getRank());
  size_t spatial = rank - 2;
  // One of N, C (with the filters' C / G) and O may be dynamic: a symbolic
  // batch, which the derivative rules move between the three.
  bool dynamicSpatial = llvm::any_of(llvm::seq<int64_t>(2, rank), [&](int64_t d) {
    return lhs.isDynamicDim(d) || rhs.isDynamicDim(d);
  });
  int64_t dynamicSizes = int64_t(lhs.isDynamicDim(0)) + lhs.isDynamicDim(1) +
                         rhs.isDynamicDim(0);
  if (dynamicSpatial || dynamicSizes > 1 || lhs.isDynamicDim(1) != rhs.isDynamicDim(1) ||
      (dynamicSizes && !lhs.isDynamicDim(0) && adaptor.getFeatureGroupCount() != 1))
    return emitOptionalError(location, "(convolution_c8) one of the batch, the "
                                       "input features (with one feature group) "
                                       "and the output features may be dynamic, got ",
                             lhs, " and ", rhs);
  for (auto [name, values] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"window_strides",
                                                adaptor.getWindowStrides()},
        {"padding_low", adaptor.getPaddingLow()},
        {"padding_high", adaptor.getPaddingHigh()},
        {"lhs_dilation", adaptor.getLhsDilation()},
        {"rhs_dilation", adaptor.getRhsDilation()}}) {
    if (values.size() != spatial)
      return emitOptionalError(location, "(convolution_c3) ", name, " has ",
                               values.size(), " entries for ", spatial,
                               " spatial dimensions");
    if (!name.starts_with("padding") &&
        llvm::any_of(values, [](int64_t v) { return v <= 0; }))
      return emitOptionalError(location, "(convolution_c4) ", name,
                               " must be positive, got ",
                               formatDims(values));
  }
  int64_t groups = adaptor.getFeatureGroupCount();
  int64_t features = lhs.getDimSize(1), outFeatures = rhs.getDimSize(0);
  // A dynamic feature count has one group (c8), which divides it.
  if (groups <= 0 || (!lhs.isDynamicDim(1) && features % groups != 0) ||
      (!rhs.isDynamicDim(0) && outFeatures % groups != 0))
    return emitOptionalError(location, "(convolution_c5) feature_group_count ",
                             groups, " must divide the input features (",
                             formatSize(features), ") and the output features (",
                             formatSize(outFeatures), ")");
  if (!lhs.isDynamicDim(1) && rhs.getDimSize(1) != features / groups)
    return emitOptionalError(location, "(convolution_c6) the filters take ",
                             rhs.getDimSize(1),
                             " input features but the input has ", features,
                             " in ", groups, " group(s)");
  SmallVector<int64_t> shape = {lhs.getDimSize(0), outFeatures};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t padded = dilated(lhs.getDimSize(i + 2), adaptor.getLhsDilation()[i]) +
                     adaptor.getPaddingLow()[i] + adaptor.getPaddingHigh()[i];
    int64_t window = dilated(rhs.getDimSize(i + 2), adaptor.getRhsDilation()[i]);
    if (padded < window || padded < 0)
      return emitOptionalError(location, "(convolution_c7) the window (",
                               window, " with dilation) is larger than the "
                               "padded input (", padded,
                               ") in spatial dimension ", i);
    shape.push_back((padded - window) / adaptor.getWindowStrides()[i] + 1);
  }
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Derivative rules
//===----------------------------------------------------------------------===//

SmallVector<Value> ConvolutionOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  Location loc = getLoc();
  Window w = windowOf(*this);
  return {addOrNull(b, loc,
                    tangents[0] ? convolve(b, loc, tangents[0], getRhs(), w) : Value(),
                    tangents[1] ? convolve(b, loc, getLhs(), tangents[1], w) : Value())};
}

namespace {

/// The input's cotangent: the result cotangent convolved with the filters
/// flipped in space and with their feature dimensions exchanged (within
/// each group), strides and input dilation trading places.
Value inputCotangent(OpBuilder &b, Location loc, Value ct, Value rhs,
                     RankedTensorType lhsType, const Window &w) {
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto ctType = cast<RankedTensorType>(ct.getType());
  int64_t rank = rhsType.getRank(), g = w.groups;
  int64_t outFeatures = rhsType.getDimSize(0), inPerGroup = rhsType.getDimSize(1);
  // [G*Og, Cg, k...] -> [G, Og, Cg, k...] -> [G, Cg, Og, k...] -> [C, Og, k...]
  SmallVector<int64_t> grouped = {g, outFeatures / g, inPerGroup};
  llvm::append_range(grouped, rhsType.getShape().drop_front(2));
  SmallVector<int64_t> perm = {0, 2, 1};
  llvm::append_range(perm, llvm::seq<int64_t>(3, rank + 1));
  SmallVector<int64_t> flippedShape = {g * inPerGroup, outFeatures / g};
  llvm::append_range(flippedShape, rhsType.getShape().drop_front(2));
  Value filters = reshapeTo(b, loc,
                          TransposeOp::create(b, loc, reshapeTo(b, loc, rhs, grouped), perm),
                          flippedShape);
  filters = ReverseOp::create(b, loc, filters,
                              llvm::to_vector(llvm::seq<int64_t>(2, rank)));
  Window t{w.lhsDilation, {}, {}, w.strides, w.rhsDilation, g};
  for (int64_t i = 0; i + 2 < rank; ++i) {
    int64_t window = dilated(rhsType.getDimSize(i + 2), w.rhsDilation[i]);
    int64_t before = window - w.low[i] - 1;
    t.low.push_back(before);
    t.high.push_back(dilated(lhsType.getDimSize(i + 2), w.lhsDilation[i]) + window -
                     1 - dilated(ctType.getDimSize(i + 2), w.strides[i]) - before);
  }
  return convolve(b, loc, ct, filters, t);
}

/// The filters' cotangent for one group: the input, batch and features
/// exchanged, convolved with the result cotangent as filters; strides and
/// filter dilation trade places.
Value filterCotangent(OpBuilder &b, Location loc, Value ct, Value lhs,
                      RankedTensorType rhsType, const Window &w) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto ctType = cast<RankedTensorType>(ct.getType());
  Window t{w.rhsDilation, w.low, {}, w.lhsDilation, w.strides, 1};
  for (int64_t i = 0; i + 2 < lhsType.getRank(); ++i)
    t.high.push_back(dilated(ctType.getDimSize(i + 2), w.strides[i]) -
                     dilated(lhsType.getDimSize(i + 2), w.lhsDilation[i]) +
                     dilated(rhsType.getDimSize(i + 2), w.rhsDilation[i]) -
                     w.low[i] - 1);
  // [C, N, in...] * [O, N, out...] -> [C, O, window...]
  Value grad = convolve(b, loc, swapLeadingDims(b, loc, lhs), swapLeadingDims(b, loc, ct), t);
  return swapLeadingDims(b, loc, grad);
}

} // namespace

SmallVector<Value> ConvolutionOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Location loc = getLoc();
  Window w = windowOf(*this);
  auto lhsType = cast<RankedTensorType>(getLhs().getType());
  auto rhsType = cast<RankedTensorType>(getRhs().getType());
  Value lhsGrad = inputCotangent(b, loc, ct, getRhs(), lhsType, w);
  // Filters of different groups see different inputs: one convolution per
  // group, concatenated along the output features.
  int64_t g = w.groups;
  int64_t inPerGroup = rhsType.getDimSize(1);
  int64_t outPerGroup = rhsType.getDimSize(0) / g;
  auto groupFilters = [&](int64_t k) {
    SmallVector<int64_t> shape(rhsType.getShape());
    shape[0] = outPerGroup;
    return filterCotangent(
        b, loc, sliceDim(b, loc, ct, 1, k * outPerGroup, outPerGroup),
        sliceDim(b, loc, getLhs(), 1, k * inPerGroup, inPerGroup),
        RankedTensorType::get(shape, rhsType.getElementType()), w);
  };
  if (g == 1) // The one group's slices would take everything.
    return {lhsGrad, filterCotangent(b, loc, ct, getLhs(), rhsType, w)};
  SmallVector<Value> parts;
  for (int64_t k = 0; k < g; ++k)
    parts.push_back(groupFilters(k));
  return {lhsGrad, ConcatenateOp::create(b, loc, parts, 0)};
}

//===----------------------------------------------------------------------===//
// Batching rule: a batch of inputs folds into N; a batch of filters becomes
// B times as many feature groups over the inputs' batch folded into C.
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> ConvolutionOp::batch(OpBuilder &b, ValueRange operands,
                                                   ArrayRef<bool> batched,
                                                   BatchSize batchSize) {
  Location loc = getLoc();
  Window w = windowOf(*this);
  auto lhsType = cast<RankedTensorType>(getLhs().getType());
  auto rhsType = cast<RankedTensorType>(getRhs().getType());
  auto resultType = cast<RankedTensorType>(getType());
  auto shapeWith = [](ArrayRef<int64_t> front, ArrayRef<int64_t> rest) {
    SmallVector<int64_t> shape(front);
    llvm::append_range(shape, rest);
    return shape;
  };
  int64_t n = lhsType.getDimSize(0), c = lhsType.getDimSize(1);
  int64_t o = rhsType.getDimSize(0);
  // Folding the batch into N or the groups needs static sizes.
  if (batchSize.isDynamic() || ShapedType::isDynamic(n) || ShapedType::isDynamic(c) ||
      ShapedType::isDynamic(o))
    return failure();
  if (!batched[1]) {
    Value folded = reshapeTo(b, loc, operands[0],
                           shapeWith({batchSize * n}, lhsType.getShape().drop_front()));
    Value out = convolve(b, loc, folded, operands[1], w);
    return SmallVector<Value>{reshapeTo(
        b, loc, out, shapeWith({batchSize, n}, resultType.getShape().drop_front()))};
  }
  Value lhs = batched[0] ? operands[0] : broadcastBatch(b, loc, operands[0], batchSize);
  // [B, N, C, in...] -> [N, B, C, in...] -> [N, B*C, in...]
  lhs = reshapeTo(b, loc, swapLeadingDims(b, loc, lhs),
                shapeWith({n, batchSize * c}, lhsType.getShape().drop_front(2)));
  // [B, O, C/G, window...] -> [B*O, C/G, window...]
  Value rhs = reshapeTo(b, loc, operands[1],
                      shapeWith({batchSize * o}, rhsType.getShape().drop_front()));
  Window grouped = w;
  grouped.groups = w.groups * batchSize;
  Value out = convolve(b, loc, lhs, rhs, grouped);
  // [N, B*O, out...] -> [N, B, O, out...] -> [B, N, O, out...]
  out = reshapeTo(b, loc, out,
                shapeWith({n, batchSize, o}, resultType.getShape().drop_front(2)));
  return SmallVector<Value>{swapLeadingDims(b, loc, out)};
}
