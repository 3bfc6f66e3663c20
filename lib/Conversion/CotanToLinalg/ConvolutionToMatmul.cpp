//===- ConvolutionToMatmul.cpp - cotan.convolution as a matrix multiply ---===//
//
// A convolution is a matrix multiply of its patches with its filters
// ("im2col"), which puts it on cotan-tile-matmul's blocked kernel. The
// pattern rewrites it into cotan ops that the other patterns lower:
//
//   input [N, C, sp...] -> channels-last [N, sp..., C] (flax's NHWC input
//     was transposed the other way: the two cancel)
//   pad (edges, input dilation as interior padding; negative pads slice)
//   per window offset: a strided slice [N, out..., C]; stacked into the
//     patches [N, out..., K, C] = [N*P, K*C], whose rows are runs of C
//     contiguous channels (no transposing copies)
//   patches . filters [K*C, O] -> [N*P, O] = [N, out..., O] -> [N, O, out...]
//
// With G feature groups the product gets a batch dimension G. One of N, C
// and O may be dynamic (a symbolic batch, or where the derivative rules
// moved it): the reshapes infer that one size. The patches
// take K times the input's memory. When the output has fewer positions P
// than the window has offsets K (the filter gradient, whose window is the
// image), the patches are built per output position instead: P windows
// [N, k..., C] stacked into [P*N, K*C].
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

int64_t product(ArrayRef<int64_t> sizes) {
  int64_t p = 1;
  for (int64_t s : sizes)
    p *= s;
  return p;
}

/// a * b, dynamic when either is.
int64_t times(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) ? ShapedType::kDynamic
                                                              : a * b;
}

/// The channels-last input [N, sp..., C] dilated and padded (negative
/// padding crops).
Value padInput(OpBuilder &b, Location loc, Value lhs, ConvolutionOp op) {
  auto type = cast<RankedTensorType>(lhs.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> low(rank, 0), high(rank, 0), interior(rank, 0);
  bool needsPad = false, needsCrop = false;
  for (int64_t i = 0; i + 2 < rank; ++i) {
    low[i + 1] = std::max<int64_t>(op.getPaddingLow()[i], 0);
    high[i + 1] = std::max<int64_t>(op.getPaddingHigh()[i], 0);
    interior[i + 1] = op.getLhsDilation()[i] - 1;
    needsPad |= low[i + 1] || high[i + 1] || interior[i + 1];
    needsCrop |= op.getPaddingLow()[i] < 0 || op.getPaddingHigh()[i] < 0;
  }
  Value padded = lhs;
  if (needsPad) {
    Value zero = ConstantOp::create(
        b, loc, cast<ElementsAttr>(b.getZeroAttr(
                    RankedTensorType::get({}, type.getElementType()))));
    padded = PadOp::create(b, loc, lhs, zero, low, high, interior);
  }
  if (!needsCrop)
    return padded;
  auto paddedType = cast<RankedTensorType>(padded.getType());
  SmallVector<int64_t> start(rank, 0), limit = wholeLimits(paddedType),
                                       strides(rank, 1);
  for (int64_t i = 0; i + 2 < rank; ++i) {
    start[i + 1] = std::max<int64_t>(-op.getPaddingLow()[i], 0);
    limit[i + 1] -= std::max<int64_t>(-op.getPaddingHigh()[i], 0);
  }
  return SliceOp::create(b, loc, padded, start, limit, strides);
}

/// The sizes a convolution lowering needs.
struct ConvShape {
  int64_t rank, spatial, n, c, o, g;
  SmallVector<int64_t> out, window;
  int64_t positions, offsets; // output positions P, window offsets K
};

ConvShape shapeOf(ConvolutionOp op) {
  auto resultType = cast<RankedTensorType>(op.getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  ConvShape s;
  s.rank = resultType.getRank();
  s.spatial = s.rank - 2;
  s.n = resultType.getDimSize(0);
  s.o = resultType.getDimSize(1);
  s.c = cast<RankedTensorType>(op.getLhs().getType()).getDimSize(1);
  s.g = op.getFeatureGroupCount();
  s.out = llvm::to_vector(resultType.getShape().drop_front(2));
  s.window = llvm::to_vector(rhsType.getShape().drop_front(2));
  s.positions = product(s.out);
  s.offsets = product(s.window);
  return s;
}

/// The row-major multi-index of `flat` in `sizes`.
SmallVector<int64_t> unflatten(int64_t flat, ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> index(sizes.size());
  for (int64_t i = sizes.size() - 1; i >= 0; --i) {
    index[i] = flat % sizes[i];
    flat /= sizes[i];
  }
  return index;
}

/// The input [N, C, sp...] channels-last, [N, sp..., C], so that every
/// patch row is made of runs of C contiguous channels. For an input that
/// was itself transposed from channels-last (flax's NHWC), the two
/// transposes cancel.
Value channelsLast(OpBuilder &b, Location loc, Value value) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<int64_t> perm = {0};
  llvm::append_range(perm, llvm::seq<int64_t>(2, rank));
  perm.push_back(1);
  return transposeTo(b, loc, value, perm);
}

/// A strided slice of the channels-last padded input: `count[i]` elements
/// `step[i]` apart from `start[i]` in spatial dimension i, all N and C.
Value spatialSlice(OpBuilder &b, Location loc, Value padded, const ConvShape &s,
                   ArrayRef<int64_t> start, ArrayRef<int64_t> count,
                   ArrayRef<int64_t> step) {
  SmallVector<int64_t> begin(s.rank, 0), strides(s.rank, 1);
  SmallVector<int64_t> limit = wholeLimits(cast<RankedTensorType>(padded.getType()));
  for (int64_t i = 0; i < s.spatial; ++i) {
    begin[i + 1] = start[i];
    limit[i + 1] = count[i] == 0 ? start[i] : start[i] + (count[i] - 1) * step[i] + 1;
    strides[i + 1] = step[i];
  }
  return SliceOp::create(b, loc, padded, begin, limit, strides);
}

/// `value` with a unit dimension inserted before dimension `at`.
Value withUnitDim(OpBuilder &b, Location loc, Value value, int64_t at) {
  SmallVector<int64_t> shape(cast<RankedTensorType>(value.getType()).getShape());
  shape.insert(shape.begin() + at, 1);
  return reshapeTo(b, loc, value, shape);
}

/// The patch matrix [N*P, K*C], columns (offset, channel): one strided
/// slice of the channels-last padded input per point of the smaller of the
/// window and the output, stacked:
///   by window offset (K slices [N, out..., C] -> [N, out..., K, C]; rows
///     (n, position)), when the window is smaller than the output;
///   by output position (P windows [N, k..., C] -> [P, N, k..., C]; rows
///     (position, n)), when the output is smaller (a filter gradient, whose
///     "window" is the image).
Value buildPatches(OpBuilder &b, Location loc, ConvolutionOp op, Value padded,
                   const ConvShape &s, bool byOffset) {
  // A slice starts at its point times `scale` and takes `count` elements
  // `step` apart in each spatial dimension.
  ArrayRef<int64_t> grid = byOffset ? ArrayRef<int64_t>(s.window) : ArrayRef<int64_t>(s.out);
  ArrayRef<int64_t> count = byOffset ? ArrayRef<int64_t>(s.out) : ArrayRef<int64_t>(s.window);
  ArrayRef<int64_t> scale = byOffset ? op.getRhsDilation() : op.getWindowStrides();
  ArrayRef<int64_t> step = byOffset ? op.getWindowStrides() : op.getRhsDilation();
  int64_t axis = byOffset ? s.spatial + 1 : 0;
  SmallVector<Value> slices;
  for (int64_t point = 0, points = product(grid); point < points; ++point) {
    SmallVector<int64_t> at = unflatten(point, grid), start;
    for (int64_t i = 0; i < s.spatial; ++i)
      start.push_back(at[i] * scale[i]);
    Value slice = spatialSlice(b, loc, padded, s, start, count, step);
    slices.push_back(withUnitDim(b, loc, slice, axis));
  }
  Value stacked = slices.size() == 1 ? slices.front()
                                     : ConcatenateOp::create(b, loc, slices, axis);
  return reshapeTo(b, loc, stacked, {times(s.n, s.positions), times(s.offsets, s.c)});
}

/// patches [R, K*C] times the filters [O, Cg, k...] -> [R, O], one product
/// per feature group.
Value multiplyByFilters(OpBuilder &b, Location loc, Value patches, Value rhs,
                        const ConvShape &s) {
  int64_t rows = cast<RankedTensorType>(patches.getType()).getDimSize(0);
  // One group when C or O is dynamic (convolution_c8).
  int64_t k = s.offsets, cg = s.g == 1 ? s.c : s.c / s.g, og = s.g == 1 ? s.o : s.o / s.g;
  // Filters [O, Cg, k...] -> [k..., Cg, O]: row (offset, channel).
  SmallVector<int64_t> windowFirst = llvm::to_vector(llvm::seq<int64_t>(2, s.rank));
  windowFirst.append({1, 0});
  Value filters = transposeTo(b, loc, rhs, windowFirst);
  if (s.g == 1)
    return DotGeneralOp::create(b, loc, patches, reshapeTo(b, loc, filters, {times(k, cg), s.o}),
                                ArrayRef<int64_t>{}, ArrayRef<int64_t>{},
                                ArrayRef<int64_t>{1}, ArrayRef<int64_t>{0});
  // Patches [R, K, G, Cg] -> [G, R, K*Cg]; filters [K, Cg, G, Og] ->
  // [G, K*Cg, Og]; the product [G, R, Og] -> [R, G*Og].
  Value grouped = reshapeTo(
      b, loc,
      transposeTo(b, loc, reshapeTo(b, loc, patches, {rows, k, s.g, cg}), {2, 0, 1, 3}),
      {s.g, rows, k * cg});
  Value groupedFilters = reshapeTo(
      b, loc,
      transposeTo(b, loc, reshapeTo(b, loc, filters, {k, cg, s.g, og}), {2, 0, 1, 3}),
      {s.g, k * cg, og});
  Value product = DotGeneralOp::create(b, loc, grouped, groupedFilters,
                                       ArrayRef<int64_t>{0}, ArrayRef<int64_t>{0},
                                       ArrayRef<int64_t>{2}, ArrayRef<int64_t>{1});
  return reshapeTo(b, loc, transposeTo(b, loc, product, {1, 0, 2}), {rows, s.o});
}

struct ConvolutionToMatmul : OpConversionPattern<ConvolutionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvolutionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ConvShape s = shapeOf(op);
    Value padded =
        padInput(rewriter, loc, channelsLast(rewriter, loc, adaptor.getLhs()), op);
    // As many slices as the smaller of the window and the output.
    bool byOffset = s.offsets <= s.positions;
    Value patches = buildPatches(rewriter, loc, op, padded, s, byOffset);
    Value product = multiplyByFilters(rewriter, loc, patches, adaptor.getRhs(), s);
    // Rows (n, position) or (position, n) -> [N, O, out...].
    SmallVector<int64_t> unfolded = byOffset ? SmallVector<int64_t>{s.n} : s.out;
    llvm::append_range(unfolded, byOffset ? ArrayRef<int64_t>(s.out) : ArrayRef<int64_t>{s.n});
    unfolded.push_back(s.o);
    SmallVector<int64_t> toResult;
    if (byOffset) {
      toResult = {0, s.spatial + 1};
      llvm::append_range(toResult, llvm::seq<int64_t>(1, s.spatial + 1));
    } else {
      toResult = {s.spatial, s.spatial + 1};
      llvm::append_range(toResult, llvm::seq<int64_t>(0, s.spatial));
    }
    rewriter.replaceOp(op, transposeTo(rewriter, loc, reshapeTo(rewriter, loc, product, unfolded),
                                       toResult));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanConvolutionToMatmulPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvolutionToMatmul>(converter, patterns.getContext());
}
