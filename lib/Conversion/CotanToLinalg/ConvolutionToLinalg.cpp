//===- ConvolutionToLinalg.cpp - cotan.convolution as a contraction -------===//
//
// A convolution is a matrix multiply of its patches with its filters
// ("im2col") whose patch matrix need not exist: the lowering emits one
// linalg.generic that reads the padded input through the window,
//
//   out[n, p..., o] += in[n, p_i * stride_i + k_i * dilation_i ..., c]
//                      * w[k..., c, o]
//
// with rows (n, p...), columns o and the contraction (k..., c).
// cotan-tile-matmul runs it on its blocked kernel reading the input in
// place ("implicit GEMM"), so the K-fold copy of the input that explicit
// patches take is never written. Around it, cotan ops put the input
// channels-last [N, sp..., C] (flax's NHWC input was transposed the other
// way: the two cancel), pad it (edges, input dilation as interior padding;
// negative pads slice), and take the result back from [N, out..., O] to
// [N, O, out...]. With G feature groups the channels split into (G, Cg) and
// G becomes a batch loop. One of N, C and O may be dynamic (a symbolic
// batch, or where the derivative rules moved it).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

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

/// The input [N, C, sp...] channels-last, [N, sp..., C], so that the
/// contraction's innermost loop (c) walks it contiguously. For an input
/// that was itself transposed from channels-last (flax's NHWC), the two
/// transposes cancel.
Value channelsLast(OpBuilder &b, Location loc, Value value) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<int64_t> perm = {0};
  llvm::append_range(perm, llvm::seq<int64_t>(2, rank));
  perm.push_back(1);
  return transposeTo(b, loc, value, perm);
}

/// `value` with its last dimension split into (groups, size / groups).
Value splitLast(OpBuilder &b, Location loc, Value value, int64_t groups) {
  SmallVector<int64_t> shape(cast<RankedTensorType>(value.getType()).getShape());
  int64_t last = shape.back();
  shape.back() = groups;
  shape.push_back(last / groups);
  return reshapeTo(b, loc, value, shape);
}

/// The dynamic sizes of `value`'s dimensions `dims`, in order.
void appendDynamicSizes(OpBuilder &b, Location loc, Value value,
                        ArrayRef<int64_t> dims, SmallVectorImpl<Value> &sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  for (int64_t d : dims)
    if (type.isDynamicDim(d))
      sizes.push_back(tensor::DimOp::create(b, loc, value, d));
}

/// The convolution as one contraction of the channels-last padded input
/// [N, sp..., C] with the filters [O, Cg, k...]; returns [N, out..., O] in
/// the accumulator type. Loops: n, p..., (g,) o parallel; k..., c
/// reduction.
Value contract(OpBuilder &b, Location loc, ConvolutionOp op, Value padded,
               Value rhs) {
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t spatial = resultType.getRank() - 2;
  int64_t groups = op.getFeatureGroupCount();
  bool grouped = groups > 1; // then C and O are static (convolution_c8)
  MLIRContext *context = b.getContext();

  // Filters [O, Cg, k...] -> [k..., Cg, O] (-> [k..., Cg, G, Og]).
  SmallVector<int64_t> windowFirst = llvm::to_vector(llvm::seq<int64_t>(2, spatial + 2));
  windowFirst.append({1, 0});
  Value filters = transposeTo(b, loc, rhs, windowFirst);
  Value input = padded;
  if (grouped) {
    // [k..., Cg, O] -> [k..., Cg, G, Og]; [N, sp..., C] -> [N, sp..., G, Cg].
    filters = splitLast(b, loc, filters, groups);
    input = splitLast(b, loc, padded, groups);
  }

  // Loop positions.
  int64_t n = 0, firstOut = 1, g = spatial + 1;
  int64_t o = g + (grouped ? 1 : 0), firstWindow = o + 1,
          c = firstWindow + spatial, numLoops = c + 1;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> inputExprs = {dim(n)}, filterExprs, outputExprs = {dim(n)};
  for (int64_t i = 0; i < spatial; ++i) {
    inputExprs.push_back(dim(firstOut + i) * op.getWindowStrides()[i] +
                         dim(firstWindow + i) * op.getRhsDilation()[i]);
    filterExprs.push_back(dim(firstWindow + i));
    outputExprs.push_back(dim(firstOut + i));
  }
  if (grouped)
    inputExprs.push_back(dim(g));
  inputExprs.push_back(dim(c));
  filterExprs.push_back(dim(c));
  if (grouped) {
    filterExprs.push_back(dim(g));
    outputExprs.push_back(dim(g));
  }
  filterExprs.push_back(dim(o));
  outputExprs.push_back(dim(o));
  SmallVector<AffineMap> maps;
  for (ArrayRef<AffineExpr> exprs : {inputExprs, filterExprs, outputExprs})
    maps.push_back(AffineMap::get(numLoops, 0, exprs, context));
  SmallVector<utils::IteratorType> iterators(numLoops, utils::IteratorType::parallel);
  for (int64_t d = firstWindow; d < numLoops; ++d)
    iterators[d] = utils::IteratorType::reduction;

  // The accumulator [N, out..., (G, Og | O)].
  Type element = resultType.getElementType();
  SmallVector<int64_t> shape = {resultType.getDimSize(0)};
  llvm::append_range(shape, resultType.getShape().drop_front(2));
  if (grouped)
    shape.append({groups, resultType.getDimSize(1) / groups});
  else
    shape.push_back(resultType.getDimSize(1));
  auto accType = RankedTensorType::get(
      shape, isHalf(element) ? b.getF32Type() : element);
  SmallVector<Value> dynamicSizes;
  appendDynamicSizes(b, loc, padded, {0}, dynamicSizes);
  if (!grouped)
    appendDynamicSizes(b, loc, filters, {spatial + 1}, dynamicSizes);
  Value product = multiplyAccumulate(b, loc, input, filters, accType,
                                     dynamicSizes, maps, iterators);
  if (!grouped)
    return product;
  SmallVector<int64_t> merged(shape.begin(), shape.end() - 2);
  merged.push_back(resultType.getDimSize(1));
  return reshapeTo(b, loc, product, merged);
}

struct ConvolutionToGeneric : OpConversionPattern<ConvolutionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvolutionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t spatial = cast<RankedTensorType>(op.getType()).getRank() - 2;
    Value padded =
        padInput(rewriter, loc, channelsLast(rewriter, loc, adaptor.getLhs()), op);
    Value product = contract(rewriter, loc, op, padded, adaptor.getRhs());
    product = convertTensor(rewriter, loc, product,
                            cast<RankedTensorType>(op.getType()).getElementType());
    // [N, out..., O] -> [N, O, out...].
    SmallVector<int64_t> toResult = {0, spatial + 1};
    llvm::append_range(toResult, llvm::seq<int64_t>(1, spatial + 1));
    rewriter.replaceOp(op, transposeTo(rewriter, loc, product, toResult));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanConvolutionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvolutionToGeneric>(converter, patterns.getContext());
}
