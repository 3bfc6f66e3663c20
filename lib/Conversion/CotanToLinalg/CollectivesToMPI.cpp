//===- CollectivesToMPI.cpp - collectives as MPI all-reduces --------------===//
//
// Every collective becomes one `mpi.allreduce` on MPI_COMM_WORLD, inside
// the tensor program: the operand is read through `bufferization.to_buffer`
// and the result is a fresh buffer handed back by `to_tensor` (MPI counts
// the elements of a contiguous buffer, so operands are flattened to 1-D).
//
//   - all_reduce: the sum (max, min) itself;
//   - reduce_scatter: the sum, then this process's block of it;
//   - all_gather, all_to_all, collective_broadcast: each process places its
//     bits in its own slots of a zero tensor and a bitwise OR combines them
//     (exact for every value, -0.0 and NaN payloads included).
//
// When a mesh has several groups (axes that leave others out), each group
// reduces in its own slot of a tensor with one slot per group, filled with
// the reduction's identity elsewhere: all collectives stay on the world
// communicator, so nothing is split or leaked per call. A process finds
// its coordinates in the row-major mesh from its world rank.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// `value` as a 1-D tensor of its elements, and back.
Value flatten(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  auto flat = RankedTensorType::get({type.getNumElements()}, type.getElementType());
  if (type.getRank() == 1)
    return value;
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, flat, value,
                                         ArrayRef<ReassociationIndices>{});
  ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  return tensor::CollapseShapeOp::create(b, loc, flat, value,
                                         ArrayRef<ReassociationIndices>{all});
}

Value unflatten(OpBuilder &b, Location loc, Value flat, RankedTensorType type) {
  if (type.getRank() == 1)
    return flat;
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat,
                                           ArrayRef<ReassociationIndices>{});
  ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

/// A scalar constant 0 of `element`.
Value zero(OpBuilder &b, Location loc, Type element) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
}

/// Where this process sits in the mesh of a collective.
struct Placement {
  Value position; // in its group, along the collective's axes (index)
  Value group;    // which group, along the other axes (index)
  int64_t groups; // how many groups
};

/// Linearizes the coordinates of `axes` (in the order given), row-major.
Value linearize(OpBuilder &b, Location loc, ArrayRef<Value> coordinates,
                ArrayRef<int64_t> mesh, ArrayRef<int64_t> axes) {
  Value linear = arith::ConstantIndexOp::create(b, loc, 0);
  for (int64_t axis : axes) {
    Value size = arith::ConstantIndexOp::create(b, loc, mesh[axis]);
    linear = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, linear, size), coordinates[axis]);
  }
  return linear;
}

Placement placement(OpBuilder &b, Location loc, ArrayRef<int64_t> mesh,
                    ArrayRef<int64_t> axes) {
  Value world = mpi::CommWorldOp::create(b, loc, mpi::CommType::get(b.getContext()));
  auto rank = mpi::CommRankOp::create(b, loc, TypeRange{b.getI32Type()}, world);
  Value linear = arith::IndexCastOp::create(b, loc, b.getIndexType(), rank.getRank());
  // Row-major: the last mesh axis varies fastest.
  SmallVector<Value> coordinates(mesh.size());
  for (int64_t axis = int64_t(mesh.size()) - 1; axis >= 0; --axis) {
    Value size = arith::ConstantIndexOp::create(b, loc, mesh[axis]);
    coordinates[axis] = arith::RemUIOp::create(b, loc, linear, size);
    linear = arith::DivUIOp::create(b, loc, linear, size);
  }
  SmallVector<int64_t> others;
  int64_t groups = 1;
  for (int64_t axis = 0; axis < int64_t(mesh.size()); ++axis)
    if (!llvm::is_contained(axes, axis)) {
      others.push_back(axis);
      groups *= mesh[axis];
    }
  return {linearize(b, loc, coordinates, mesh, axes),
          linearize(b, loc, coordinates, mesh, others), groups};
}

/// MPI counts elements in an int: a collective whose all-reduce would
/// move more (its result's elements times `slots`, per group) is refused.
LogicalResult checkCount(Operation *op, ArrayRef<int64_t> mesh, ArrayRef<int64_t> axes,
                         int64_t elements, int64_t slots = 1) {
  int64_t groups = 1;
  for (int64_t axis = 0; axis < int64_t(mesh.size()); ++axis)
    if (!llvm::is_contained(axes, axis))
      groups *= mesh[axis];
  if (elements * slots * groups <= std::numeric_limits<int32_t>::max())
    return success();
  return op->emitOpError("would move ")
         << elements * slots * groups
         << " elements in one MPI call, more than MPI counts (2^31 - 1); split the tensor";
}

/// MPI_Allreduce of a 1-D tensor over the world, into a fresh buffer.
Value worldAllReduce(OpBuilder &b, Location loc, Value flat,
                     mpi::MPI_ReductionOpEnum kind) {
  auto type = cast<RankedTensorType>(flat.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  Value input = bufferization::ToBufferOp::create(b, loc, memrefType, flat,
                                                  /*readOnly=*/true);
  Value output = memref::AllocOp::create(b, loc, memrefType);
  Value world = mpi::CommWorldOp::create(b, loc, mpi::CommType::get(b.getContext()));
  mpi::AllReduceOp::create(b, loc, /*retval=*/Type(), input, output, kind, world);
  return bufferization::ToTensorOp::create(b, loc, type, output, /*restrict=*/true,
                                           /*writable=*/true);
}

/// The collective's reduction of `value` (any shape) within each group:
/// with several groups, each reduces in its own slot, `identity` elsewhere.
Value groupAllReduce(OpBuilder &b, Location loc, Value value,
                     const Placement &where, mpi::MPI_ReductionOpEnum kind,
                     Value identity) {
  auto type = cast<RankedTensorType>(value.getType());
  Value flat = flatten(b, loc, value);
  if (where.groups == 1)
    return unflatten(b, loc, worldAllReduce(b, loc, flat, kind), type);
  int64_t n = type.getNumElements();
  auto slotsType = RankedTensorType::get({where.groups * n}, type.getElementType());
  auto flatType = cast<RankedTensorType>(flat.getType());
  Value offset = arith::MulIOp::create(b, loc, where.group,
                                       arith::ConstantIndexOp::create(b, loc, n));
  SmallVector<OpFoldResult> offsets{offset}, sizes{b.getIndexAttr(n)},
      strides{b.getIndexAttr(1)};
  Value slots = tensor::InsertSliceOp::create(
      b, loc, flat, filledTensor(b, loc, slotsType, identity), offsets, sizes, strides);
  Value reduced = worldAllReduce(b, loc, slots, kind);
  Value mine = tensor::ExtractSliceOp::create(b, loc, flatType, reduced, offsets,
                                              sizes, strides);
  return unflatten(b, loc, mine, type);
}

/// The elements of `value` reinterpreted as `element` (same width).
Value bitcastElements(OpBuilder &b, Location loc, Value value, Type element) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == element)
    return value;
  auto to = type.clone(element);
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{to}, ValueRange{value},
             ValueRange{emptyTensor(b, loc, to)}, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, arith::BitcastOp::create(nb, nloc, element, args[0])
                                 .getResult());
             })
      ->getResult(0);
}

/// The integer type with the bits of `element`.
Type bitsOf(Type element) {
  return IntegerType::get(element.getContext(), element.getIntOrFloatBitWidth());
}


/// Offsets that are zero except `offset` at `dim`.
SmallVector<OpFoldResult> offsetAt(OpBuilder &b, int64_t rank, int64_t dim,
                                   OpFoldResult offset) {
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[dim] = offset;
  return offsets;
}

SmallVector<OpFoldResult> sizesOf(OpBuilder &b, RankedTensorType type) {
  return llvm::map_to_vector(type.getShape(), [&](int64_t size) -> OpFoldResult {
    return b.getIndexAttr(size);
  });
}

/// `position * block` as an OpFoldResult.
OpFoldResult scaled(OpBuilder &b, Location loc, Value position, int64_t block) {
  return arith::MulIOp::create(b, loc, position,
                               arith::ConstantIndexOp::create(b, loc, block))
      .getResult();
}

/// The MPI reduction of `kind` and its identity for `element`.
std::pair<mpi::MPI_ReductionOpEnum, Value>
mpiReduction(OpBuilder &b, Location loc, CollectiveReduction kind, Type element) {
  switch (kind) {
  case CollectiveReduction::Sum:
    return {mpi::MPI_ReductionOpEnum::MPI_SUM, zero(b, loc, element)};
  case CollectiveReduction::Max:
    return {mpi::MPI_ReductionOpEnum::MPI_MAX, extremeValue(b, loc, element, /*largest=*/false)};
  case CollectiveReduction::Min:
    return {mpi::MPI_ReductionOpEnum::MPI_MIN, extremeValue(b, loc, element, /*largest=*/true)};
  }
  llvm_unreachable("unknown collective reduction");
}

struct LowerAllReduce : OpConversionPattern<AllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AllReduceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkCount(op, op.getMesh(), op.getAxes(), op.getType().getNumElements())))
      return failure();
    Location loc = op.getLoc();
    auto [kind, identity] = mpiReduction(rewriter, loc, op.getReduction(),
                                         op.getType().getElementType());
    Placement where = placement(rewriter, loc, op.getMesh(), op.getAxes());
    rewriter.replaceOp(op, groupAllReduce(rewriter, loc, adaptor.getOperand(),
                                          where, kind, identity));
    return success();
  }
};

struct LowerReduceScatter : OpConversionPattern<ReduceScatterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReduceScatterOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkCount(op, op.getMesh(), op.getAxes(),
                          op.getOperand().getType().getNumElements())))
      return failure();
    Location loc = op.getLoc();
    auto type = op.getType();
    Placement where = placement(rewriter, loc, op.getMesh(), op.getAxes());
    Value sum = groupAllReduce(rewriter, loc, adaptor.getOperand(), where,
                               mpi::MPI_ReductionOpEnum::MPI_SUM,
                               zero(rewriter, loc, type.getElementType()));
    int64_t dim = op.getDimension();
    SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, sum,
        offsetAt(rewriter, type.getRank(), dim,
                 scaled(rewriter, loc, where.position, type.getDimSize(dim))),
        sizesOf(rewriter, type), strides);
    return success();
  }
};

/// The result of a collective that each process fills part of: `contribute`
/// writes this process's bits into a zero tensor shaped like `gatheredType`,
/// the group ORs them together, `finish` takes this process's part, and the
/// bits become values again.
template <typename Op>
void lowerByBitwiseOr(
    Op op, ConversionPatternRewriter &rewriter, RankedTensorType gatheredType,
    function_ref<Value(Value zeros, Value bits, Value position)> contribute,
    function_ref<Value(Value gathered, Value position)> finish) {
  Location loc = op.getLoc();
  Placement where = placement(rewriter, loc, op.getMesh(), op.getAxes());
  Type element = op.getOperand().getType().getElementType();
  Type bitsType = bitsOf(element);
  Value bits = bitcastElements(rewriter, loc, op.getOperand(), bitsType);
  auto bitsGathered = gatheredType.clone(bitsType);
  Value zeros = filledTensor(rewriter, loc, bitsGathered, zero(rewriter, loc, bitsType));
  Value mine = contribute(zeros, bits, where.position);
  Value all = groupAllReduce(rewriter, loc, mine, where, mpi::MPI_ReductionOpEnum::MPI_BOR,
                             zero(rewriter, loc, bitsType));
  rewriter.replaceOp(op, bitcastElements(rewriter, loc, finish(all, where.position), element));
}

struct LowerAllGather : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AllGatherOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkCount(op, op.getMesh(), op.getAxes(), op.getType().getNumElements())))
      return failure();
    Location loc = op.getLoc();
    auto operandType = op.getOperand().getType();
    int64_t dim = op.getDimension();
    lowerByBitwiseOr(
        op, rewriter, op.getType(),
        [&](Value zeros, Value bits, Value position) -> Value {
          SmallVector<OpFoldResult> strides(operandType.getRank(),
                                            rewriter.getIndexAttr(1));
          return tensor::InsertSliceOp::create(
              rewriter, loc, bits, zeros,
              offsetAt(rewriter, operandType.getRank(), dim,
                       scaled(rewriter, loc, position, operandType.getDimSize(dim))),
              sizesOf(rewriter, operandType), strides);
        },
        [](Value gathered, Value) { return gathered; });
    return success();
  }
};

struct LowerAllToAll : OpConversionPattern<AllToAllOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AllToAllOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkCount(op, op.getMesh(), op.getAxes(), op.getType().getNumElements(),
                          op.getGroupSize())))
      return failure();
    // Slot j (a leading dimension) of the combined tensor is the result of
    // the process at group position j; this process writes its block for j
    // at its own position along the concat dimension of slot j.
    Location loc = op.getLoc();
    auto operandType = op.getOperand().getType();
    auto resultType = op.getType();
    int64_t group = op.getGroupSize();
    int64_t split = op.getSplitDimension(), concat = op.getConcatDimension();
    int64_t rank = operandType.getRank();
    SmallVector<int64_t> slotsShape{group};
    llvm::append_range(slotsShape, resultType.getShape());
    SmallVector<int64_t> blockShape(operandType.getShape());
    blockShape[split] /= group;
    auto blockType = RankedTensorType::get(blockShape, bitsOf(operandType.getElementType()));
    SmallVector<OpFoldResult> ones(rank + 1, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> slotSizes{rewriter.getIndexAttr(1)};
    lowerByBitwiseOr(
        op, rewriter, resultType.clone(slotsShape),
        [&](Value slots, Value bits, Value position) -> Value {
          SmallVector<OpFoldResult> blockSizes = sizesOf(rewriter, blockType);
          SmallVector<OpFoldResult> sizes = slotSizes;
          llvm::append_range(sizes, blockSizes);
          OpFoldResult at = scaled(rewriter, loc, position, blockShape[concat]);
          for (int64_t j = 0; j < group; ++j) {
            Value block = tensor::ExtractSliceOp::create(
                rewriter, loc, blockType, bits,
                offsetAt(rewriter, rank, split, rewriter.getIndexAttr(j * blockShape[split])),
                blockSizes, ArrayRef(ones).drop_back());
            SmallVector<OpFoldResult> offsets = offsetAt(rewriter, rank + 1, concat + 1, at);
            offsets[0] = rewriter.getIndexAttr(j);
            slots = tensor::InsertSliceOp::create(rewriter, loc, block, slots,
                                                  offsets, sizes, ones);
          }
          return slots;
        },
        [&](Value slots, Value position) -> Value {
          SmallVector<OpFoldResult> offsets(rank + 1, rewriter.getIndexAttr(0));
          offsets[0] = position;
          auto bitsResult = resultType.clone(bitsOf(resultType.getElementType()));
          SmallVector<OpFoldResult> sizes = slotSizes;
          llvm::append_range(sizes, sizesOf(rewriter, bitsResult));
          return tensor::ExtractSliceOp::create(rewriter, loc, bitsResult, slots,
                                                offsets, sizes, ones);
        });
    return success();
  }
};

struct LowerCollectiveBroadcast : OpConversionPattern<CollectiveBroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(CollectiveBroadcastOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkCount(op, op.getMesh(), op.getAxes(), op.getType().getNumElements())))
      return failure();
    Location loc = op.getLoc();
    Value root = arith::ConstantIndexOp::create(rewriter, loc, op.getRoot());
    lowerByBitwiseOr(
        op, rewriter, op.getType(),
        [&](Value zeros, Value bits, Value position) -> Value {
          Value isRoot = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                               position, root);
          return arith::SelectOp::create(rewriter, loc, isRoot, bits, zeros);
        },
        [](Value all, Value) { return all; });
    return success();
  }
};

struct LowerAxisIndex : OpConversionPattern<AxisIndexOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AxisIndexOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Placement where = placement(rewriter, loc, op.getMesh(), op.getAxes());
    Value i32 = arith::IndexCastOp::create(rewriter, loc, rewriter.getI32Type(),
                                           where.position);
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), i32);
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanCollectivesToMPIPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LowerAllReduce, LowerReduceScatter, LowerAllGather, LowerAllToAll,
               LowerCollectiveBroadcast, LowerAxisIndex>(converter,
                                                         patterns.getContext());
}
