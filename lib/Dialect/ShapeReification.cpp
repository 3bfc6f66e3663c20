//===- ShapeReification.cpp - result sizes of shape-polymorphic ops -------===//
//
// The ops that accept dynamic (`?`) dimensions implement
// ReifyRankedShapedTypeOpInterface as external models: given a builder,
// they state each result size as a constant or a value computed from their
// operands (`tensor.dim`) or from their `dynamic_sizes` operands. The
// lowering sizes its `tensor.empty` results through it, and upstream's
// `resolve-ranked-shaped-type-result-dims` folds `tensor.dim` of a result
// into the operand it came from.
//
//===----------------------------------------------------------------------===//

#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// Size `d` of `value`: a constant, or a `tensor.dim` when it is dynamic.
OpFoldResult sizeOf(OpBuilder &b, Location loc, Value value, int64_t d) {
  return tensor::getMixedSize(b, loc, value, d);
}

/// The sizes of `type`: the static ones as constants, each dynamic one
/// (dimension d) as `dynamicSize(d)`.
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, RankedTensorType type,
                                  function_ref<Value(int64_t)> dynamicSize) {
  SmallVector<OpFoldResult> sizes;
  for (auto [d, size] : llvm::enumerate(type.getShape()))
    sizes.push_back(ShapedType::isDynamic(size) ? OpFoldResult(dynamicSize(d))
                                                : b.getIndexAttr(size));
  return sizes;
}

/// The result has the shape of operand 0 (elementwise ops, whose operands
/// all share one shape).
template <typename Op>
struct SameShapeAsOperand
    : ReifyRankedShapedTypeOpInterface::ExternalModel<SameShapeAsOperand<Op>,
                                                      Op> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    shapes.assign(op->getNumResults(),
                  tensor::getMixedSizes(b, op->getLoc(), op->getOperand(0)));
    return success();
  }
};

/// The result's static sizes, and its `?` sizes from `dynamicSizes` in order
/// (broadcast_in_dim, reshape and iota).
template <typename Op>
struct SizesFromOperands
    : ReifyRankedShapedTypeOpInterface::ExternalModel<SizesFromOperands<Op>,
                                                      Op> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto concrete = cast<Op>(op);
    auto dynamic = concrete.getDynamicSizes().begin();
    SmallVector<OpFoldResult> sizes;
    for (int64_t size : concrete.getType().getShape())
      sizes.push_back(ShapedType::isDynamic(size) ? OpFoldResult(*dynamic++)
                                                  : b.getIndexAttr(size));
    shapes.push_back(std::move(sizes));
    return success();
  }
};

struct TransposeSizes
    : ReifyRankedShapedTypeOpInterface::ExternalModel<TransposeSizes,
                                                      TransposeOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto transpose = cast<TransposeOp>(op);
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : transpose.getPermutation())
      sizes.push_back(sizeOf(b, op->getLoc(), transpose.getOperand(), p));
    shapes.push_back(std::move(sizes));
    return success();
  }
};

/// The operand's sizes without the reduced `dimensions`.
template <typename Op>
struct ReducedSizes
    : ReifyRankedShapedTypeOpInterface::ExternalModel<ReducedSizes<Op>, Op> {
  static ArrayRef<int64_t> reduced(Op op, SmallVectorImpl<int64_t> &storage) {
    if constexpr (std::is_same_v<Op, ArgMaxOp> || std::is_same_v<Op, ArgMinOp>) {
      storage.push_back(op.getDimension());
      return storage;
    } else {
      return op.getDimensions();
    }
  }
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto reduce = cast<Op>(op);
    SmallVector<int64_t> storage;
    ArrayRef<int64_t> dims = reduced(reduce, storage);
    Value operand = reduce.getOperand();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0, e = reduce.getOperand().getType().getRank(); d < e; ++d)
      if (!llvm::is_contained(dims, d))
        sizes.push_back(sizeOf(b, op->getLoc(), operand, d));
    shapes.push_back(std::move(sizes));
    return success();
  }
};

/// Batch dimensions, then lhs's free dimensions, then rhs's.
struct DotGeneralSizes
    : ReifyRankedShapedTypeOpInterface::ExternalModel<DotGeneralSizes,
                                                      DotGeneralOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto dot = cast<DotGeneralOp>(op);
    Location loc = op->getLoc();
    SmallVector<int64_t> lhsUsed(dot.getLhsBatchingDimensions());
    llvm::append_range(lhsUsed, dot.getLhsContractingDimensions());
    SmallVector<int64_t> rhsUsed(dot.getRhsBatchingDimensions());
    llvm::append_range(rhsUsed, dot.getRhsContractingDimensions());
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : dot.getLhsBatchingDimensions())
      sizes.push_back(sizeOf(b, loc, dot.getLhs(), d));
    for (int64_t d = 0, e = dot.getLhs().getType().getRank(); d < e; ++d)
      if (!llvm::is_contained(lhsUsed, d))
        sizes.push_back(sizeOf(b, loc, dot.getLhs(), d));
    for (int64_t d = 0, e = dot.getRhs().getType().getRank(); d < e; ++d)
      if (!llvm::is_contained(rhsUsed, d))
        sizes.push_back(sizeOf(b, loc, dot.getRhs(), d));
    shapes.push_back(std::move(sizes));
    return success();
  }
};

/// Static sizes as they are; a dynamic dimension is input 0's
/// (concatenation joins along a static dimension).
struct ConcatenateSizes
    : ReifyRankedShapedTypeOpInterface::ExternalModel<ConcatenateSizes,
                                                      ConcatenateOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    shapes.push_back(sizesOf(b, type, [&](int64_t d) -> Value {
      return tensor::DimOp::create(b, op->getLoc(), op->getOperand(0), d);
    }));
    return success();
  }
};

/// A slice's dynamic dimension has the operand's size less `start` and the
/// `e` elements its limit (-1 - e) leaves at the end, at least 0.
struct SliceSizes
    : ReifyRankedShapedTypeOpInterface::ExternalModel<SliceSizes, SliceOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto slice = cast<SliceOp>(op);
    Location loc = op->getLoc();
    shapes.push_back(sizesOf(b, slice.getType(), [&](int64_t d) -> Value {
      int64_t dropped = slice.getStartIndices()[d] - 1 - slice.getLimitIndices()[d];
      Value dim = tensor::DimOp::create(b, loc, slice.getOperand(), d);
      if (dropped == 0)
        return dim;
      Value left = arith::SubIOp::create(b, loc, dim,
                                         arith::ConstantIndexOp::create(b, loc, dropped));
      return arith::MaxSIOp::create(b, loc, left, arith::ConstantIndexOp::create(b, loc, 0));
    }));
    return success();
  }
};

/// A pad's dynamic dimension (edge padding only) has the operand's size
/// plus its low and high padding.
struct PadSizes : ReifyRankedShapedTypeOpInterface::ExternalModel<PadSizes, PadOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto pad = cast<PadOp>(op);
    Location loc = op->getLoc();
    shapes.push_back(sizesOf(b, pad.getType(), [&](int64_t d) -> Value {
      int64_t added = pad.getEdgePaddingLow()[d] + pad.getEdgePaddingHigh()[d];
      Value dim = tensor::DimOp::create(b, loc, pad.getOperand(), d);
      if (added == 0)
        return dim;
      return arith::AddIOp::create(b, loc, dim, arith::ConstantIndexOp::create(b, loc, added));
    }));
    return success();
  }
};

/// The operand's dimensions before and after `axis`, the indices' between.
struct TakeSizes
    : ReifyRankedShapedTypeOpInterface::ExternalModel<TakeSizes, TakeOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    auto take = cast<TakeOp>(op);
    Location loc = op->getLoc();
    int64_t axis = take.getAxis();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < axis; ++d)
      sizes.push_back(sizeOf(b, loc, take.getOperand(), d));
    llvm::append_range(sizes, tensor::getMixedSizes(b, loc, take.getIndices()));
    for (int64_t d = axis + 1, e = take.getOperand().getType().getRank(); d < e; ++d)
      sizes.push_back(sizeOf(b, loc, take.getOperand(), d));
    shapes.push_back(std::move(sizes));
    return success();
  }
};

template <typename... Ops>
void attachSameShapeAsOperand(MLIRContext *context) {
  (Ops::template attachInterface<SameShapeAsOperand<Ops>>(*context), ...);
}

} // namespace

SmallVector<Value> mlir::cotan::dynamicSizesOf(OpBuilder &b, Location loc,
                                              RankedTensorType type,
                                              Value like) {
  SmallVector<Value> sizes;
  for (auto [d, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      sizes.push_back(tensor::DimOp::create(b, loc, like, d));
  return sizes;
}

void mlir::cotan::attachShapeReification(MLIRContext *context) {
  attachSameShapeAsOperand<
      NegOp, AbsOp, ExpOp, LogOp, Log1pOp, Expm1Op, TanhOp, LogisticOp, ErfOp,
      ErfcOp, SqrtOp, RsqrtOp, SinOp, CosOp, FloorOp, SignOp, StopGradientOp,
      NotOp, AddOp, SubOp, MulOp, DivOp, RemOp, PowOp, MaxOp, MinOp, Atan2Op,
      AndOp, OrOp, XorOp, ShiftLeftOp, ShiftRightLogicalOp, CompareOp, SelectOp,
      ConvertOp, ReverseOp>(context);
  BroadcastInDimOp::attachInterface<SizesFromOperands<BroadcastInDimOp>>(
      *context);
  ReshapeOp::attachInterface<SizesFromOperands<ReshapeOp>>(*context);
  IotaOp::attachInterface<SizesFromOperands<IotaOp>>(*context);
  TransposeOp::attachInterface<TransposeSizes>(*context);
  ReduceSumOp::attachInterface<ReducedSizes<ReduceSumOp>>(*context);
  ReduceProdOp::attachInterface<ReducedSizes<ReduceProdOp>>(*context);
  ReduceMaxOp::attachInterface<ReducedSizes<ReduceMaxOp>>(*context);
  ReduceMinOp::attachInterface<ReducedSizes<ReduceMinOp>>(*context);
  ArgMaxOp::attachInterface<ReducedSizes<ArgMaxOp>>(*context);
  ArgMinOp::attachInterface<ReducedSizes<ArgMinOp>>(*context);
  DotGeneralOp::attachInterface<DotGeneralSizes>(*context);
  SliceOp::attachInterface<SliceSizes>(*context);
  PadOp::attachInterface<PadSizes>(*context);
  ConcatenateOp::attachInterface<ConcatenateSizes>(*context);
  TakeOp::attachInterface<TakeSizes>(*context);
}
