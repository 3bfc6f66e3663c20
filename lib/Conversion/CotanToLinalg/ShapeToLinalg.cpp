//===- ShapeToLinalg.cpp - shape cotan ops to linalg and tensor -----------===//
//
// Data movement: constants and iota, broadcasting, reshapes, transposes,
// slicing, padding, concatenation, reversal and gathers. A result with no
// elements is just a tensor.empty: there is nothing to compute.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

SmallVector<utils::IteratorType> parallelIterators(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return b.getIndexAttr(v);
  });
}

/// Replaces ops whose result has no elements by tensor.empty.
struct EmptyResultToEmptyTensor : ConversionPattern {
  EmptyResultToEmptyTensor(const TypeConverter &converter, MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/10,
                          context) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value>,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<CotanDialect>(op->getDialect()) || op->getNumResults() != 1)
      return failure();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() != 0)
      return failure();
    rewriter.replaceOp(op, emptyTensor(rewriter, op->getLoc(),
                                       storageType(type)));
    return success();
  }
};

template <typename OpTy>
struct CotanToLinalgPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;
};

struct ConstantToArith : CotanToLinalgPattern<ConstantOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, Adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Attribute value = op.getValueAttr();
    if (cast<ShapedType>(op.getType()).getElementType().isInteger(1)) {
      auto dense = dyn_cast<DenseElementsAttr>(value);
      if (!dense)
        return rewriter.notifyMatchFailure(op, "boolean constant not dense");
      value = dense.mapValues(rewriter.getI8Type(),
                              [](const APInt &v) { return v.zext(8); });
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(value));
    return success();
  }
};

/// Derivatives are expanded before lowering; here it is the identity.
struct StopGradientToOperand : CotanToLinalgPattern<StopGradientOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(StopGradientOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getOperand());
    return success();
  }
};

struct IotaToGeneric : CotanToLinalgPattern<IotaOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(IotaOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = storageType(op.getType());
    Location loc = op.getLoc();
    int64_t dim = op.getDimension();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, type, adaptor.getDynamicSizes())},
        {rewriter.getMultiDimIdentityMap(type.getRank())},
        parallelIterators(type.getRank()),
        [&](OpBuilder &b, Location nloc, ValueRange) {
          Value index = linalg::IndexOp::create(b, nloc, dim);
          Value i64 = arith::IndexCastOp::create(b, nloc, b.getI64Type(), index);
          linalg::YieldOp::create(
              b, nloc, convertScalar(b, nloc, i64, type.getElementType()));
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct BroadcastInDimToGeneric : CotanToLinalgPattern<BroadcastInDimOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(BroadcastInDimOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(adaptor.getOperand().getType());
    auto resultType = storageType(op.getType());
    SmallVector<AffineExpr> exprs;
    for (auto [i, d] : llvm::enumerate(op.getBroadcastDimensions())) {
      bool expanded = operandType.getDimSize(i) == 1 &&
                      resultType.getDimSize(d) != 1;
      exprs.push_back(expanded ? rewriter.getAffineConstantExpr(0)
                               : rewriter.getAffineDimExpr(d));
    }
    int64_t rank = resultType.getRank();
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, exprs, rewriter.getContext()),
        rewriter.getMultiDimIdentityMap(rank)};
    Location loc = op.getLoc();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{adaptor.getOperand()},
        ValueRange{emptyTensor(rewriter, loc, resultType,
                               adaptor.getDynamicSizes())},
        maps,
        parallelIterators(rank),
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          linalg::YieldOp::create(b, nloc, args[0]);
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

/// Row-major reshape as collapse to 1-D (or 0-D) followed by expand: both
/// are views after bufferization, so no data moves.
struct ReshapeToCollapseExpand : CotanToLinalgPattern<ReshapeOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(adaptor.getOperand().getType());
    auto resultType = storageType(op.getType());
    Location loc = op.getLoc();
    Value value = adaptor.getOperand();
    if (operandType == resultType) {
      rewriter.replaceOp(op, value);
      return success();
    }
    // One reassociation group of all dimensions; none for rank 0, whose
    // reshapes only add or drop unit dimensions.
    auto allDims = [](int64_t rank) {
      SmallVector<ReassociationIndices> groups;
      if (rank > 0)
        groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, rank)));
      return groups;
    };
    if (resultType.getRank() == 0) {
      value = tensor::CollapseShapeOp::create(rewriter, loc, resultType, value,
                                              allDims(0));
    } else if (operandType.getRank() == 0) {
      value = tensor::ExpandShapeOp::create(rewriter, loc, resultType, value,
                                            allDims(0));
    } else {
      int64_t flatSize = operandType.hasStaticShape()
                             ? operandType.getNumElements()
                             : ShapedType::kDynamic;
      if (operandType.getRank() != 1)
        value = tensor::CollapseShapeOp::create(
            rewriter, loc,
            RankedTensorType::get({flatSize}, operandType.getElementType()),
            value, allDims(operandType.getRank()));
      // A static result of a dynamic operand: the flat size is known.
      if (resultType.hasStaticShape() && ShapedType::isDynamic(flatSize))
        value = tensor::CastOp::create(
            rewriter, loc,
            RankedTensorType::get({resultType.getNumElements()},
                                  resultType.getElementType()),
            value);
      SmallVector<OpFoldResult> sizes = getMixedValues(
          resultType.getShape(), adaptor.getDynamicSizes(), rewriter);
      if (resultType.getNumDynamicDims() > 1) {
        // expand_shape takes at most one dynamic size per group (upstream's
        // expand-strided-metadata asserts on more): reshape by a shape
        // tensor, which is still a view of the same buffer.
        SmallVector<Value> extents = llvm::map_to_vector(
            sizes, [&](OpFoldResult size) {
              return getValueOrCreateConstantIndexOp(rewriter, loc, size);
            });
        Value shape = tensor::FromElementsOp::create(rewriter, loc, extents);
        value = tensor::ReshapeOp::create(rewriter, loc, resultType, value, shape);
      } else if (resultType.getRank() != 1) {
        value = tensor::ExpandShapeOp::create(rewriter, loc, resultType, value,
                                              allDims(resultType.getRank()),
                                              sizes);
      }
      // 1-D to 1-D: only the static knowledge of the size changes.
      if (value.getType() != resultType)
        value = tensor::CastOp::create(rewriter, loc, resultType, value);
    }
    rewriter.replaceOp(op, value);
    return success();
  }
};

struct TransposeToLinalg : CotanToLinalgPattern<TransposeOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = storageType(op.getType());
    Location loc = op.getLoc();
    auto transpose = linalg::TransposeOp::create(
        rewriter, loc, adaptor.getOperand(),
        emptyResult(rewriter, op, resultType), op.getPermutation());
    rewriter.replaceOp(op, transpose->getResults());
    return success();
  }
};

struct SliceToExtractSlice : CotanToLinalgPattern<SliceOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = storageType(op.getType());
    // A dynamic size is what the limit, counted from the end, leaves.
    auto dynamic = resultDynamicSizes(rewriter, op).begin();
    SmallVector<OpFoldResult> sizes;
    for (int64_t size : resultType.getShape())
      sizes.push_back(ShapedType::isDynamic(size) ? OpFoldResult(*dynamic++)
                                                  : rewriter.getIndexAttr(size));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, adaptor.getOperand(),
        indexAttrs(rewriter, op.getStartIndices()), sizes,
        indexAttrs(rewriter, op.getStrides()));
    return success();
  }
};

struct ConcatenateToInsertSlices : CotanToLinalgPattern<ConcatenateOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(ConcatenateOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = storageType(op.getType());
    Location loc = op.getLoc();
    int64_t dim = op.getDimension();
    int64_t rank = resultType.getRank();
    Value result = emptyResult(rewriter, op, resultType);
    SmallVector<int64_t> offsets(rank, 0);
    for (Value input : adaptor.getInputs()) {
      auto type = cast<RankedTensorType>(input.getType());
      if (type.hasStaticShape() && type.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, indexAttrs(rewriter, offsets),
          tensor::getMixedSizes(rewriter, loc, input),
          indexAttrs(rewriter, SmallVector<int64_t>(rank, 1)));
      offsets[dim] += type.getDimSize(dim);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Fill with the padding value, then write the operand with stride
/// interior + 1 at offset low.
struct PadToFillAndInsert : CotanToLinalgPattern<PadOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(PadOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(adaptor.getOperand().getType());
    auto resultType = storageType(op.getType());
    Location loc = op.getLoc();
    Value padValue = tensor::ExtractOp::create(
        rewriter, loc, adaptor.getPaddingValue(), ValueRange{});
    Value result = filledTensor(rewriter, loc, resultType, padValue,
                                resultDynamicSizes(rewriter, op));
    if (!operandType.hasStaticShape() || operandType.getNumElements() != 0) {
      SmallVector<int64_t> strides =
          llvm::map_to_vector(op.getInteriorPadding(),
                              [](int64_t i) { return i + 1; });
      result = tensor::InsertSliceOp::create(
          rewriter, loc, adaptor.getOperand(), result,
          indexAttrs(rewriter, op.getEdgePaddingLow()),
          tensor::getMixedSizes(rewriter, loc, adaptor.getOperand()),
          indexAttrs(rewriter, strides));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReverseToGeneric : CotanToLinalgPattern<ReverseOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(ReverseOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = storageType(op.getType());
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr dim = rewriter.getAffineDimExpr(d);
      exprs.push_back(llvm::is_contained(op.getDimensions(), d)
                          ? type.getDimSize(d) - 1 - dim
                          : dim);
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, exprs, rewriter.getContext()),
        rewriter.getMultiDimIdentityMap(rank)};
    Location loc = op.getLoc();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{adaptor.getOperand()},
        ValueRange{emptyResult(rewriter, op, type)}, maps,
        parallelIterators(rank),
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          linalg::YieldOp::create(b, nloc, args[0]);
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

/// Clamps an integer scalar (any width) into [0, upper] as an index.
Value clampIndex(OpBuilder &b, Location loc, Value value, int64_t upper) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value max = arith::ConstantIndexOp::create(b, loc, upper);
  return arith::MinSIOp::create(b, loc,
                                arith::MaxSIOp::create(b, loc, index, zero),
                                max);
}

/// A generic over the result reads each index and extracts the element.
struct TakeToGeneric : CotanToLinalgPattern<TakeOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(TakeOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(adaptor.getOperand().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    auto resultType = storageType(op.getType());
    int64_t axis = op.getAxis();
    int64_t indexRank = indicesType.getRank();
    int64_t rank = resultType.getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = axis; d < axis + indexRank; ++d)
      indexExprs.push_back(rewriter.getAffineDimExpr(d));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, indexExprs, rewriter.getContext()),
        rewriter.getMultiDimIdentityMap(rank)};
    Location loc = op.getLoc();
    Value operand = adaptor.getOperand();
    int64_t axisSize = operandType.getDimSize(axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{adaptor.getIndices()},
        ValueRange{emptyResult(rewriter, op, resultType)}, maps,
        parallelIterators(rank),
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          SmallVector<Value> position;
          for (int64_t d = 0; d < axis; ++d)
            position.push_back(linalg::IndexOp::create(b, nloc, d));
          position.push_back(clampIndex(b, nloc, args[0], axisSize - 1));
          for (int64_t d = axis + indexRank; d < rank; ++d)
            position.push_back(linalg::IndexOp::create(b, nloc, d));
          linalg::YieldOp::create(
              b, nloc,
              Value(tensor::ExtractOp::create(b, nloc, operand, position)));
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

/// Start offsets of a dynamic slice of `sizes`, clamped inside `type`.
SmallVector<OpFoldResult> clampedOffsets(OpBuilder &b, Location loc,
                                         ValueRange startIndices,
                                         RankedTensorType type,
                                         ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> offsets;
  for (auto [d, start] : llvm::enumerate(startIndices)) {
    Value scalar = tensor::ExtractOp::create(b, loc, start, ValueRange{});
    offsets.push_back(
        clampIndex(b, loc, scalar, type.getDimSize(d) - sizes[d]));
  }
  return offsets;
}

struct DynamicSliceToExtractSlice : CotanToLinalgPattern<DynamicSliceOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(DynamicSliceOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(adaptor.getOperand().getType());
    auto resultType = storageType(op.getType());
    Location loc = op.getLoc();
    ArrayRef<int64_t> sizes = op.getSliceSizes();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, adaptor.getOperand(),
        clampedOffsets(rewriter, loc, adaptor.getStartIndices(), operandType,
                       sizes),
        indexAttrs(rewriter, sizes),
        indexAttrs(rewriter, SmallVector<int64_t>(sizes.size(), 1)));
    return success();
  }
};

struct DynamicUpdateSliceToInsertSlice
    : CotanToLinalgPattern<DynamicUpdateSliceOp> {
  using CotanToLinalgPattern::CotanToLinalgPattern;
  LogicalResult
  matchAndRewrite(DynamicUpdateSliceOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(adaptor.getOperand().getType());
    auto updateType = cast<RankedTensorType>(op.getUpdate().getType());
    if (updateType.getNumElements() == 0) {
      rewriter.replaceOp(op, adaptor.getOperand());
      return success();
    }
    Location loc = op.getLoc();
    ArrayRef<int64_t> sizes = updateType.getShape();
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getUpdate(), adaptor.getOperand(),
        clampedOffsets(rewriter, loc, adaptor.getStartIndices(), operandType,
                       sizes),
        indexAttrs(rewriter, sizes),
        indexAttrs(rewriter, SmallVector<int64_t>(sizes.size(), 1)));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanShapeToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<EmptyResultToEmptyTensor>(converter, context);
  patterns.add<ConstantToArith, StopGradientToOperand, IotaToGeneric, BroadcastInDimToGeneric,
               ReshapeToCollapseExpand, TransposeToLinalg, SliceToExtractSlice,
               ConcatenateToInsertSlices, PadToFillAndInsert, ReverseToGeneric,
               TakeToGeneric, DynamicSliceToExtractSlice,
               DynamicUpdateSliceToInsertSlice>(converter, context);
}
