//===- ConvolutionToMatmul.cpp - cotan.convolution as a matrix multiply ---===//
//
// A convolution is a matrix multiply of its patches with its filters
// ("im2col"), which puts it on cotan-tile-matmul's blocked kernel. The
// pattern rewrites it into cotan ops that the other patterns lower:
//
//   pad (edges, input dilation as interior padding; negative pads slice)
//   per window offset: a strided slice [N, C, out...] -> [C, N*P]
//   concatenate the K offsets -> patches [K*C, N*P]
//   filters [O, C, k...] -> [O, K*C];  filters . patches -> [O, N*P]
//   -> [O, N, out...] -> [N, O, out...]
//
// With G feature groups the contraction gets a batch dimension G. The
// patches take K times the input's memory. When the output has fewer
// positions P than the window has offsets K (the filter gradient, whose
// window is the image), it slices per output position instead: P products
// of a window [N, C*K] with the filters [C*K, O].
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

/// The input dilated and padded (negative padding crops).
Value padInput(OpBuilder &b, Location loc, Value lhs, ConvolutionOp op) {
  auto type = cast<RankedTensorType>(lhs.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> low(rank, 0), high(rank, 0), interior(rank, 0);
  bool needsPad = false, needsCrop = false;
  for (int64_t i = 0; i + 2 < rank; ++i) {
    low[i + 2] = std::max<int64_t>(op.getPaddingLow()[i], 0);
    high[i + 2] = std::max<int64_t>(op.getPaddingHigh()[i], 0);
    interior[i + 2] = op.getLhsDilation()[i] - 1;
    needsPad |= low[i + 2] || high[i + 2] || interior[i + 2];
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
  SmallVector<int64_t> start(rank, 0), limit(paddedType.getShape()),
      strides(rank, 1);
  for (int64_t i = 0; i + 2 < rank; ++i) {
    start[i + 2] = std::max<int64_t>(-op.getPaddingLow()[i], 0);
    limit[i + 2] -= std::max<int64_t>(-op.getPaddingHigh()[i], 0);
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

/// filters [O, K*C] times patches [K*C, N*P] (one row block per window
/// offset) -> [O, N, out...] -> [N, O, out...]. Used when the window is
/// smaller than the output: K slices, each as large as the output. Every
/// transpose here keeps the output positions innermost, so it moves
/// contiguous rows.
Value byWindowOffset(OpBuilder &b, Location loc, ConvolutionOp op, Value padded,
                     Value rhs, const ConvShape &s) {
  int64_t np = s.n * s.positions, k = s.offsets, cg = s.c / s.g, og = s.o / s.g;
  SmallVector<Value> rows;
  for (int64_t offset = 0; offset < k; ++offset) {
    // Window offset `offset` reads every stride-th element from its dilated
    // position on: [N, C, out...] -> [C, N, out...] -> [C, N*P].
    SmallVector<int64_t> at = unflatten(offset, s.window);
    SmallVector<int64_t> start(s.rank, 0), limit = {s.n, s.c}, strides(s.rank, 1);
    for (int64_t i = 0; i < s.spatial; ++i) {
      start[i + 2] = at[i] * op.getRhsDilation()[i];
      strides[i + 2] = op.getWindowStrides()[i];
      limit.push_back(s.out[i] == 0 ? start[i + 2]
                                    : start[i + 2] + (s.out[i] - 1) * strides[i + 2] + 1);
    }
    Value patch = SliceOp::create(b, loc, padded, start, limit, strides);
    rows.push_back(reshapeTo(b, loc, swapLeadingDims(b, loc, patch),
                             {s.c, np}));
  }
  Value patches = rows.size() == 1 ? rows.front()
                                   : ConcatenateOp::create(b, loc, rows, 0);
  // Filters [G*Og, Cg, k...] -> [G*Og, k..., Cg]: column (offset, channel).
  SmallVector<int64_t> channelsLast = {0};
  llvm::append_range(channelsLast, llvm::seq<int64_t>(2, s.rank));
  channelsLast.push_back(1);
  Value filters = transposeTo(b, loc, rhs, channelsLast);
  Value product;
  if (s.g == 1) {
    product = DotGeneralOp::create(b, loc, reshapeTo(b, loc, filters, {s.o, k * s.c}),
                                   patches, ArrayRef<int64_t>{}, ArrayRef<int64_t>{},
                                   ArrayRef<int64_t>{1}, ArrayRef<int64_t>{0});
  } else {
    // Patches [K*C, NP] -> [K, G, Cg, NP] -> [G, K, Cg, NP] -> [G, K*Cg, NP];
    // filters [G, Og, K*Cg]; the product [G, Og, NP] is [O, NP].
    Value grouped = reshapeTo(
        b, loc,
        transposeTo(b, loc, reshapeTo(b, loc, patches, {k, s.g, cg, np}), {1, 0, 2, 3}),
        {s.g, k * cg, np});
    product = DotGeneralOp::create(b, loc,
                                   reshapeTo(b, loc, filters, {s.g, og, k * cg}),
                                   grouped, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{0},
                                   ArrayRef<int64_t>{2}, ArrayRef<int64_t>{1});
  }
  // [O, N*P] -> [O, N, out...] -> [N, O, out...]
  SmallVector<int64_t> unfolded = {s.o, s.n};
  llvm::append_range(unfolded, s.out);
  return swapLeadingDims(b, loc, reshapeTo(b, loc, product, unfolded));
}

/// Per output position, the window's slice [N, C, k...] times the filters
/// [C*K, O] -> [N, O] columns of the result. Used when the output is
/// smaller than the window (a filter gradient, whose "window" is the whole
/// image): P slices, each the size of a window.
Value byOutputPosition(OpBuilder &b, Location loc, ConvolutionOp op,
                       Value padded, Value rhs, const ConvShape &s) {
  int64_t k = s.offsets, cg = s.c / s.g, og = s.o / s.g;
  // Filters [G*Og, Cg, k...] -> [G, Og, Cg*K] -> [G, Cg*K, Og].
  Value filters = transposeTo(b, loc, reshapeTo(b, loc, rhs, {s.g, og, cg * k}),
                              {0, 2, 1});
  SmallVector<Value> columns;
  for (int64_t position = 0; position < s.positions; ++position) {
    SmallVector<int64_t> at = unflatten(position, s.out);
    SmallVector<int64_t> start(s.rank, 0), limit = {s.n, s.c}, strides(s.rank, 1);
    for (int64_t i = 0; i < s.spatial; ++i) {
      start[i + 2] = at[i] * op.getWindowStrides()[i];
      strides[i + 2] = op.getRhsDilation()[i];
      limit.push_back(start[i + 2] + (s.window[i] - 1) * strides[i + 2] + 1);
    }
    // [N, C, k...] -> [N, G, Cg*K] -> [G, N, Cg*K]
    Value window = SliceOp::create(b, loc, padded, start, limit, strides);
    Value rows = transposeTo(b, loc, reshapeTo(b, loc, window, {s.n, s.g, cg * k}),
                             {1, 0, 2});
    // [G, N, Og] -> [N, G, Og] -> [N, O, 1]
    Value column = DotGeneralOp::create(b, loc, rows, filters, ArrayRef<int64_t>{0},
                                        ArrayRef<int64_t>{0}, ArrayRef<int64_t>{2},
                                        ArrayRef<int64_t>{1});
    columns.push_back(reshapeTo(b, loc, transposeTo(b, loc, column, {1, 0, 2}),
                                {s.n, s.o, 1}));
  }
  Value result = columns.size() == 1 ? columns.front()
                                     : ConcatenateOp::create(b, loc, columns, 2);
  SmallVector<int64_t> shape = {s.n, s.o};
  llvm::append_range(shape, s.out);
  return reshapeTo(b, loc, result, shape);
}

struct ConvolutionToMatmul : OpConversionPattern<ConvolutionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvolutionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ConvShape s = shapeOf(op);
    Value padded = padInput(rewriter, loc, adaptor.getLhs(), op);
    // As many slices as the smaller of the window and the output.
    Value result =
        s.offsets <= s.positions
            ? byWindowOffset(rewriter, loc, op, padded, adaptor.getRhs(), s)
            : byOutputPosition(rewriter, loc, op, padded, adaptor.getRhs(), s);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanConvolutionToMatmulPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvolutionToMatmul>(converter, patterns.getContext());
}
