//===- ConvolutionToLinalg.cpp - cotan.convolution as a contraction -------===//
//
// A convolution is a matrix multiply of its patches with its filters
// ("im2col") whose patch matrix need not exist: the lowering emits one
// linalg.generic that reads the padded input through the window,
//
//   out[n, p..., o] += in[n, c, p_i * stride_i + k_i * dilation_i ...]
//                      * w[k..., c, o]
//
// with rows (n, p...), columns o and the contraction (k..., c).
// cotan-tile-matmul runs it on its blocked kernel reading the input in
// place ("implicit GEMM"), so the K-fold copy of the input that explicit
// patches take is never written. Layouts cost no copies of the input: it
// is padded where it is stored, read through a transpose that produced it
// (flax's NHWC; the filter gradient's swapped batch and features), and the
// result accumulates in the layout a transpose after it asks for (NHWC,
// the filter gradient's HWIO), as long as O stays innermost. With G feature
// groups the channel is g * Cg + c, G a batch loop. One of N, C and O may
// be dynamic (a symbolic batch, or where the derivative rules moved it).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// The convolution's input [N, C, sp...] as stored: `value`, whose
/// dimension `dims[d]` holds the input's dimension d. An input transposed
/// just before (flax's NHWC, or the filter gradient's swapped batch and
/// features) is read through the transpose: the kernel reads any layout in
/// place, and a transposing copy of the input can cost more than the
/// convolution.
struct StoredInput {
  Value value;
  SmallVector<int64_t> dims;
};

StoredInput storedInput(ConvolutionOp op, Value lhs,
                        ConversionPatternRewriter &rewriter) {
  int64_t rank = cast<RankedTensorType>(lhs.getType()).getRank();
  StoredInput input{lhs, llvm::to_vector(llvm::seq<int64_t>(0, rank))};
  if (auto transpose = op.getLhs().getDefiningOp<TransposeOp>()) {
    if (Value source = rewriter.getRemappedValue(transpose.getOperand())) {
      input.value = source;
      input.dims = llvm::to_vector(transpose.getPermutation());
    }
  }
  return input;
}

/// The stored input dilated and padded in its spatial dimensions (negative
/// padding crops).
Value padInput(OpBuilder &b, Location loc, const StoredInput &input,
               ConvolutionOp op) {
  auto type = cast<RankedTensorType>(input.value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> low(rank, 0), high(rank, 0), interior(rank, 0);
  bool needsPad = false, needsCrop = false;
  for (int64_t i = 0; i + 2 < rank; ++i) {
    int64_t d = input.dims[i + 2];
    low[d] = std::max<int64_t>(op.getPaddingLow()[i], 0);
    high[d] = std::max<int64_t>(op.getPaddingHigh()[i], 0);
    interior[d] = op.getLhsDilation()[i] - 1;
    needsPad |= low[d] || high[d] || interior[d];
    needsCrop |= op.getPaddingLow()[i] < 0 || op.getPaddingHigh()[i] < 0;
  }
  Value padded = input.value;
  if (needsPad) {
    Value zero = ConstantOp::create(
        b, loc, cast<ElementsAttr>(b.getZeroAttr(
                    RankedTensorType::get({}, type.getElementType()))));
    padded = PadOp::create(b, loc, padded, zero, low, high, interior);
  }
  if (!needsCrop)
    return padded;
  auto paddedType = cast<RankedTensorType>(padded.getType());
  SmallVector<int64_t> start(rank, 0), limit = wholeLimits(paddedType),
                                       strides(rank, 1);
  for (int64_t i = 0; i + 2 < rank; ++i) {
    int64_t d = input.dims[i + 2];
    start[d] = std::max<int64_t>(-op.getPaddingLow()[i], 0);
    limit[d] -= std::max<int64_t>(-op.getPaddingHigh()[i], 0);
  }
  return SliceOp::create(b, loc, padded, start, limit, strides);
}

/// The order in which the accumulator stores the result's dimensions
/// [N, O, out...], O last (the kernel's columns must be contiguous): the
/// layout a transpose right after asks for (flax's NHWC, the filter
/// gradient's HWIO), so that the two cancel, else channels-last.
SmallVector<int64_t> accumulatorOrder(ConvolutionOp op) {
  int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
  if (op->hasOneUse())
    if (auto transpose = dyn_cast<TransposeOp>(*op->user_begin()))
      if (transpose.getPermutation().back() == 1)
        return llvm::to_vector(transpose.getPermutation());
  SmallVector<int64_t> order = {0};
  llvm::append_range(order, llvm::seq<int64_t>(2, rank));
  order.push_back(1);
  return order;
}

/// `value` with its last dimension split into (groups, size / groups).
Value splitLast(OpBuilder &b, Location loc, Value value, int64_t groups) {
  SmallVector<int64_t> shape(cast<RankedTensorType>(value.getType()).getShape());
  int64_t last = shape.back();
  shape.back() = groups;
  shape.push_back(last / groups);
  return reshapeTo(b, loc, value, shape);
}

/// The convolution as one contraction of the padded stored input with the
/// filters [O, Cg, k...], accumulated in the dimension order `order` (O
/// last) and the accumulator type. Loops: n, p..., (g,) o parallel;
/// k..., c reduction. The input's channel is g * Cg + c.
Value contract(OpBuilder &b, Location loc, ConvolutionOp op,
               const StoredInput &input, Value padded, Value rhs,
               ArrayRef<int64_t> order) {
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t spatial = resultType.getRank() - 2;
  int64_t groups = op.getFeatureGroupCount();
  bool grouped = groups > 1; // then C and O are static (convolution_c8)
  MLIRContext *context = b.getContext();

  // Filters [O, Cg, k...] -> [k..., Cg, O] (-> [k..., Cg, G, Og]), or
  // [Cg, k..., O] when the input is not stored channels-last: the order of
  // B's rows is the order of the contraction steps, whose last should walk
  // the input's innermost dimension (C, or the last spatial one).
  int64_t rank = spatial + 2;
  bool channelsInnermost = input.dims[1] == rank - 1;
  SmallVector<int64_t> window = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  SmallVector<int64_t> toFilters;
  if (channelsInnermost) {
    toFilters = window;
    toFilters.append({1, 0});
  } else {
    toFilters = {1};
    llvm::append_range(toFilters, window);
    toFilters.push_back(0);
  }
  Value filters = transposeTo(b, loc, rhs, toFilters);
  if (grouped)
    filters = splitLast(b, loc, filters, groups);

  // Loop positions.
  int64_t n = 0, firstOut = 1, g = spatial + 1;
  int64_t o = g + (grouped ? 1 : 0), firstWindow = o + 1,
          c = firstWindow + spatial, numLoops = c + 1;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };

  // The input's dimension d at stored position dims[d].
  int64_t channelsPerGroup =
      cast<RankedTensorType>(op.getLhs().getType()).getDimSize(1) / groups;
  SmallVector<AffineExpr> inputExprs(spatial + 2);
  inputExprs[input.dims[0]] = dim(n);
  inputExprs[input.dims[1]] = grouped ? dim(g) * channelsPerGroup + dim(c) : dim(c);
  SmallVector<AffineExpr> filterExprs;
  if (!channelsInnermost)
    filterExprs.push_back(dim(c));
  for (int64_t i = 0; i < spatial; ++i) {
    inputExprs[input.dims[i + 2]] = dim(firstOut + i) * op.getWindowStrides()[i] +
                                    dim(firstWindow + i) * op.getRhsDilation()[i];
    filterExprs.push_back(dim(firstWindow + i));
  }
  if (channelsInnermost)
    filterExprs.push_back(dim(c));
  if (grouped)
    filterExprs.push_back(dim(g));
  filterExprs.push_back(dim(o));

  // The accumulator: the result's dimensions in `order`, O split into
  // (G, Og) when grouped.
  Type element = resultType.getElementType();
  SmallVector<AffineExpr> outputExprs;
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  for (int64_t r : order) {
    int64_t size = resultType.getDimSize(r);
    if (r == 0) {
      outputExprs.push_back(dim(n));
      shape.push_back(size);
      if (ShapedType::isDynamic(size))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, padded, input.dims[0]));
    } else if (r > 1) {
      outputExprs.push_back(dim(firstOut + r - 2));
      shape.push_back(size);
    } else if (grouped) {
      outputExprs.append({dim(g), dim(o)});
      shape.append({groups, size / groups});
    } else {
      outputExprs.push_back(dim(o));
      shape.push_back(size);
      if (ShapedType::isDynamic(size))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, filters, spatial + 1));
    }
  }
  SmallVector<AffineMap> maps;
  for (ArrayRef<AffineExpr> exprs : {inputExprs, filterExprs, outputExprs})
    maps.push_back(AffineMap::get(numLoops, 0, exprs, context));
  SmallVector<utils::IteratorType> iterators(numLoops, utils::IteratorType::parallel);
  for (int64_t d = firstWindow; d < numLoops; ++d)
    iterators[d] = utils::IteratorType::reduction;

  auto accType = RankedTensorType::get(
      shape, isHalf(element) ? b.getF32Type() : element);
  Value product = multiplyAccumulate(b, loc, padded, filters, accType,
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
    StoredInput input = storedInput(op, adaptor.getLhs(), rewriter);
    Value padded = padInput(rewriter, loc, input, op);
    SmallVector<int64_t> order = accumulatorOrder(op);
    Value product =
        contract(rewriter, loc, op, input, padded, adaptor.getRhs(), order);
    product = convertTensor(rewriter, loc, product,
                            cast<RankedTensorType>(op.getType()).getElementType());
    // Back to [N, O, out...]: result dimension r is stored at order's
    // position of r.
    SmallVector<int64_t> toResult(order.size());
    for (auto [position, r] : llvm::enumerate(order))
      toResult[r] = position;
    rewriter.replaceOp(op, transposeTo(rewriter, loc, product, toResult));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanConvolutionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvolutionToGeneric>(converter, patterns.getContext());
}
