//===- ConvolutionToMatmul.cpp - cotan.convolution as a matrix multiply ---===//
//
// A convolution is a matrix multiply of its patches with its filters
// ("im2col"), which puts it on cotan-tile-matmul's blocked kernel. The
// pattern rewrites it into cotan ops that the other patterns lower:
//
//   pad (edges, input dilation as interior padding; negative pads slice)
//   per window offset: a strided slice [N, C, out...] -> [N*P, C]
//   concatenate the K offsets -> patches [N*P, K*C]
//   filters [O, C, k...] -> [K*C, O];  patches . filters -> [N*P, O]
//   -> [N, out..., O] -> [N, O, out...]
//
// With G feature groups the contraction gets a batch dimension G. The
// patches take K times the input's memory.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return ReshapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value);
}

Value transposeTo(OpBuilder &b, Location loc, Value value,
                  ArrayRef<int64_t> perm) {
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return value;
  return TransposeOp::create(b, loc, value, perm);
}

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

struct ConvolutionToMatmul : OpConversionPattern<ConvolutionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvolutionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    int64_t rank = resultType.getRank(), spatial = rank - 2;
    int64_t n = resultType.getDimSize(0), o = resultType.getDimSize(1);
    int64_t c = cast<RankedTensorType>(op.getLhs().getType()).getDimSize(1);
    int64_t g = op.getFeatureGroupCount();
    ArrayRef<int64_t> out = resultType.getShape().drop_front(2);
    ArrayRef<int64_t> window = rhsType.getShape().drop_front(2);
    int64_t p = product(out), k = product(window), m = n * p;

    Value padded = padInput(rewriter, loc, adaptor.getLhs(), op);
    // [N, C, out...] -> [N, out..., C] -> [N*P, C]
    SmallVector<int64_t> toChannelsLast = {0};
    llvm::append_range(toChannelsLast, llvm::seq<int64_t>(2, rank));
    toChannelsLast.push_back(1);
    SmallVector<Value> columns;
    for (int64_t offset = 0; offset < k; ++offset) {
      // Window offset `offset` (row-major over the window) reads every
      // stride-th element from its dilated position on.
      SmallVector<int64_t> start(rank, 0), limit(rank), strides(rank, 1);
      limit[0] = n;
      limit[1] = c;
      for (int64_t i = spatial - 1, rest = offset; i >= 0; --i) {
        start[i + 2] = (rest % window[i]) * op.getRhsDilation()[i];
        rest /= window[i];
        strides[i + 2] = op.getWindowStrides()[i];
        limit[i + 2] = out[i] == 0
                           ? start[i + 2]
                           : start[i + 2] + (out[i] - 1) * strides[i + 2] + 1;
      }
      Value patch = SliceOp::create(rewriter, loc, padded, start, limit, strides);
      columns.push_back(reshapeTo(rewriter, loc,
                                  transposeTo(rewriter, loc, patch, toChannelsLast),
                                  {m, c}));
    }
    Value patches = columns.size() == 1
                        ? columns.front()
                        : ConcatenateOp::create(rewriter, loc, columns, 1);

    // Filters [O, C/G, k...] -> [k..., C/G, O]: row (offset, channel).
    SmallVector<int64_t> filtersLast = llvm::to_vector(llvm::seq<int64_t>(2, rank));
    filtersLast.append({1, 0});
    Value filters = transposeTo(rewriter, loc, adaptor.getRhs(), filtersLast);
    Value product;
    if (g == 1) {
      product = DotGeneralOp::create(
          rewriter, loc, patches, reshapeTo(rewriter, loc, filters, {k * c, o}),
          ArrayRef<int64_t>{}, ArrayRef<int64_t>{}, ArrayRef<int64_t>{1},
          ArrayRef<int64_t>{0});
    } else {
      int64_t cg = c / g, og = o / g;
      // Patches [M, K*C] -> [M, K, G, Cg] -> [G, M, K, Cg] -> [G, M, K*Cg].
      Value grouped = reshapeTo(
          rewriter, loc,
          transposeTo(rewriter, loc, reshapeTo(rewriter, loc, patches, {m, k, g, cg}),
                      {2, 0, 1, 3}),
          {g, m, k * cg});
      // Filters [K, Cg, G*Og] -> [K, Cg, G, Og] -> [G, K, Cg, Og] -> [G, K*Cg, Og].
      Value groupedFilters = reshapeTo(
          rewriter, loc,
          transposeTo(rewriter, loc, reshapeTo(rewriter, loc, filters, {k, cg, g, og}),
                      {2, 0, 1, 3}),
          {g, k * cg, og});
      // [G, M, Og] -> [M, G, Og] -> [M, O]
      product = DotGeneralOp::create(rewriter, loc, grouped, groupedFilters,
                                     ArrayRef<int64_t>{0}, ArrayRef<int64_t>{0},
                                     ArrayRef<int64_t>{2}, ArrayRef<int64_t>{1});
      product = reshapeTo(rewriter, loc,
                          transposeTo(rewriter, loc, product, {1, 0, 2}), {m, o});
    }
    // [N*P, O] -> [N, out..., O] -> [N, O, out...]
    SmallVector<int64_t> unfolded = {n};
    llvm::append_range(unfolded, out);
    unfolded.push_back(o);
    SmallVector<int64_t> channelsFirst = {0, rank - 1};
    llvm::append_range(channelsFirst, llvm::seq<int64_t>(1, rank - 1));
    rewriter.replaceOp(
        op, transposeTo(rewriter, loc, reshapeTo(rewriter, loc, product, unfolded),
                        channelsFirst));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanConvolutionToMatmulPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvolutionToMatmul>(converter, patterns.getContext());
}
