//===- TileMatmul.cpp - the cotan-tile-matmul pass ------------------------===//
//
// A matrix multiply runs at the speed of its inner loop only if that loop
// keeps a tile of the result in vector registers and streams both operands
// from cache: the GotoBLAS/BLIS scheme. Blocks of the result go to threads;
// per slice of the contraction, B is copied ("packed") into contiguous
// zero-padded panels, and a register tile of accumulators does one
// broadcast FMA per row per step, broadcasting A's elements where they lie.
//
// A's address is linear in the loops: the sum of a per-row part (computed
// for the tile's rows) and a per-step part (a table). So a convolution,
// which arrives as the same contraction with several row loops (n, p...)
// and contraction loops (k..., c) and reads A through the window
// (p * stride + k * dilation), runs on the same kernel without its patch
// matrix ever being written ("implicit GEMM"). Reading A in place rather
// than packing it measured faster for plain matmuls too (2 cores, AVX-512:
// 470 vs 380 GFLOP/s at 512-2048, 2.3x on a tall, narrow 100352x576x64).
//
//===----------------------------------------------------------------------===//

#include "HostTarget.h"
#include "MatmulEpilogue.h"
#include "TaskLoop.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include <thread>

namespace mlir::cotan {
#define GEN_PASS_DEF_TILEMATMUL
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// Below this many multiply-adds, packing costs more than it saves.
constexpr int64_t kMinMultiplyAdds = 1 << 15;

/// The most of B packed at once to take the contraction in one slice (half
/// of L2).
constexpr int64_t kPackedBBytes = 512 * 1024;

/// The loops of `C[batch, m, n] += A[..] * B[..]`. Rows and the
/// contraction may each span several loops (a convolution's (n, p...) and
/// (k..., c)), flattened row-major in the order C and B index them.
struct MatmulLoops {
  SmallVector<unsigned> batch, m, k;
  unsigned n;
};

/// Block and register-tile sizes.
struct MatmulTiling {
  int64_t tasks;                  // how many tasks keep every thread busy
  int64_t blockM;                 // rows that sweep B's column panels together
  int64_t blockN, blockK;         // B's packed block: columns x a k slice
  int64_t rows, cols;             // the register tile
};

bool isMultiplyAccumulateBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body.getOperations().size() != 3)
    return false;
  Value acc = body.getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || (add.getLhs() != acc && add.getRhs() != acc))
    return false;
  Value x = body.getArgument(0), y = body.getArgument(1);
  return (mul.getLhs() == x && mul.getRhs() == y) ||
         (mul.getLhs() == y && mul.getRhs() == x);
}

/// The product of `loops`' static sizes in `ranges`, kDynamic when any is
/// dynamic.
int64_t staticProduct(ArrayRef<int64_t> ranges, ArrayRef<unsigned> loops) {
  int64_t product = 1;
  for (unsigned d : loops) {
    if (ShapedType::isDynamic(ranges[d]))
      return ShapedType::kDynamic;
    product *= ranges[d];
  }
  return product;
}

/// Whether `expr` is a sum of loops with positive constant coefficients,
/// `d0 * 2 + d3`: an address linear in the loops, with no constant term.
bool isLinearInLoops(AffineExpr expr) {
  if (isa<AffineDimExpr>(expr))
    return true;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return isLinearInLoops(binary.getLHS()) && isLinearInLoops(binary.getRHS());
  auto scale = dyn_cast<AffineConstantExpr>(binary.getRHS());
  return binary.getKind() == AffineExprKind::Mul && scale && scale.getValue() > 0 &&
         isa<AffineDimExpr>(binary.getLHS());
}

/// The loops `map` indexes directly, in the order of its results.
SmallVector<unsigned> loopsInOrder(AffineMap map, ArrayRef<unsigned> loops) {
  SmallVector<unsigned> ordered;
  for (AffineExpr expr : map.getResults())
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      if (llvm::is_contained(loops, dim.getPosition()))
        ordered.push_back(dim.getPosition());
  return ordered;
}

/// Classifies the loops of a float multiply-accumulate generic on buffers
/// of one element type (any size may be dynamic); fails unless there is one
/// n loop, the result's innermost, unit-stride dimension, at least one m
/// and one k loop, B and C index loops directly and A a linear sum of them.
std::optional<MatmulLoops> matchMatmul(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  Type element;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type)
      return std::nullopt;
    if (element && type.getElementType() != element)
      return std::nullopt;
    element = type.getElementType();
  }
  if (!element.isF32() && !element.isF64())
    return std::nullopt;
  if (!isMultiplyAccumulateBody(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[1].isProjectedPermutation() || !maps[2].isProjectedPermutation() ||
      !llvm::all_of(maps[0].getResults(), isLinearInLoops))
    return std::nullopt;

  MatmulLoops loops;
  SmallVector<unsigned> m, n, k;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    bool inA = maps[0].isFunctionOfDim(d), inB = maps[1].isFunctionOfDim(d),
         inC = maps[2].isFunctionOfDim(d);
    bool reduction = iterators[d] == utils::IteratorType::reduction;
    if (inA && inB && inC && !reduction)
      loops.batch.push_back(d);
    else if (inA && !inB && inC && !reduction)
      m.push_back(d);
    else if (!inA && inB && inC && !reduction)
      n.push_back(d);
    else if (inA && inB && !inC && reduction)
      k.push_back(d);
    else
      return std::nullopt;
  }
  if (m.empty() || n.size() != 1 || k.empty())
    return std::nullopt;
  loops.m = loopsInOrder(maps[2], m);
  loops.k = loopsInOrder(maps[1], k);
  loops.n = n.front();

  auto resultMap = maps[2];
  auto resultType = cast<MemRefType>(op.getDpsInits()[0].getType());
  if (resultMap.getDimPosition(resultMap.getNumResults() - 1) != loops.n ||
      !resultType.isLastDimUnitStride())
    return std::nullopt;
  if (!cast<MemRefType>(op.getDpsInputs()[0].getType()).isStrided())
    return std::nullopt;
  return loops;
}

/// Whether `op` sets all of `buffer` to +0.0: a linalg.fill or its
/// generalized form (no inputs, an identity map, a body yielding the value).
bool isZeroFillOf(Operation *op, Value buffer) {
  Value value;
  if (auto fill = dyn_cast<linalg::FillOp>(op)) {
    if (fill.getDpsInits()[0] != buffer)
      return false;
    value = fill.getInputs()[0];
  } else if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    Block &body = generic.getRegion().front();
    if (generic.getNumDpsInputs() != 0 || generic.getNumDpsInits() != 1 ||
        generic.getDpsInits()[0] != buffer ||
        !generic.getIndexingMapsArray()[0].isIdentity() ||
        body.getOperations().size() != 1)
      return false;
    value = body.getTerminator()->getOperand(0);
  } else {
    return false;
  }
  return matchPattern(value, m_PosZeroFloat());
}

/// The zero fill of the local buffer or output argument `c` before
/// `matmul`, with nothing in between using c or a view of it: the kernel's
/// accumulators can start at zero instead of reading what the fill wrote.
Operation *zeroFillBefore(Operation *matmul, Value c) {
  if (!c.getDefiningOp<memref::AllocOp>() && !isa<BlockArgument>(c))
    return nullptr;
  for (Operation *op = matmul->getPrevNode(); op; op = op->getPrevNode()) {
    if (isZeroFillOf(op, c))
      return op;
    if (cotan::touchesBuffers(*op, c))
      return nullptr;
  }
  return nullptr;
}

/// Whether `map`'s innermost result is loop `d` on a unit-stride buffer.
bool isInnermost(AffineMap map, MemRefType type, unsigned d) {
  return map.getDimPosition(map.getNumResults() - 1) == d &&
         type.isLastDimUnitStride();
}

/// Emits the blocked multiply for one matched generic. Loop sizes are
/// values (constants when static): a dynamic size only turns the edge
/// handling on, as for a static size that is not a multiple of the tile.
/// Rows and contraction steps are numbered row-major over their loops.
class MatmulEmitter {
public:
  MatmulEmitter(linalg::GenericOp op, const MatmulLoops &loops,
                const MatmulTiling &tiling, bool parallel,
                std::optional<cotan::MatmulEpilogue> epilogue)
      : op(op), loops(loops), tiling(tiling), parallel(parallel),
        epilogue(epilogue), zeroFill(zeroFillBefore(op, op.getDpsInits()[0])),
        builder(op), loc(op.getLoc()),
        ranges(op.getStaticLoopRanges()),
        sizes(cotan::loopSizes(builder, loc, op)),
        element(cast<MemRefType>(op.getDpsInits()[0].getType())
                    .getElementType()),
        panelType(VectorType::get({tiling.cols}, element)) {
    maps = op.getIndexingMapsArray();
    a = op.getDpsInputs()[0];
    b = op.getDpsInputs()[1];
    c = op.getDpsInits()[0];
    std::tie(rowCount, staticRowCount) = flatSize(loops.m);
    int64_t staticDepth;
    std::tie(depth, staticDepth) = flatSize(loops.k);
    // Without a contraction step nothing would overwrite the fill.
    if (ShapedType::isDynamic(staticDepth) || staticDepth == 0)
      zeroFill = nullptr;
    singleSlice = !ShapedType::isDynamic(staticDepth) && staticDepth <= tiling.blockK;
  }

  void emit() {
    prepareInPlaceA();
    // Tasks take whole column blocks and chunks of rows as tall as leaves
    // enough tasks to keep every thread busy: the taller, the fewer times
    // B's blocks are packed.
    Value others = ceilDiv(sizes[loops.n], tiling.blockN);
    for (unsigned d : loops.batch)
      others = arith::MulIOp::create(builder, loc, others, sizes[d]);
    Value rowBlocks = ceilDiv(rowCount, tiling.blockM);
    Value chunks = arith::MaxUIOp::create(
        builder, loc, index(1),
        min(arith::CeilDivUIOp::create(builder, loc, index(tiling.tasks), others),
            rowBlocks));
    taskM = mul(arith::CeilDivUIOp::create(builder, loc, rowBlocks, chunks),
                tiling.blockM);
    // One loop over all tasks (batch, then row chunks, then column
    // blocks), so threads share out a single iteration space.
    SmallVector<Value> counts;
    for (unsigned d : loops.batch)
      counts.push_back(sizes[d]);
    counts.push_back(arith::CeilDivUIOp::create(builder, loc, rowCount, taskM));
    counts.push_back(ceilDiv(sizes[loops.n], tiling.blockN));
    Value total = index(1);
    for (Value count : counts)
      total = arith::MulIOp::create(builder, loc, total, count);
    cotan::buildTaskLoop(builder, loc, total, parallel, [&](OpBuilder &nested, Value block) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(nested.getInsertionBlock(),
                                nested.getInsertionPoint());
      SmallVector<Value> ivs(counts.size());
      for (int64_t d = counts.size() - 1; d >= 0; --d) {
        ivs[d] = arith::RemUIOp::create(builder, loc, block, counts[d]);
        block = arith::DivUIOp::create(builder, loc, block, counts[d]);
      }
      emitBlock(ivs);
    });
    if (stepOffsets)
      memref::DeallocOp::create(builder, loc, stepOffsets);
    op.erase();
    if (zeroFill)
      zeroFill->erase();
    if (epilogue)
      epilogue->erase();
  }

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(builder, loc, value);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(builder, loc, x, y); }
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(builder, loc, x, index(y));
  }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(builder, loc, x, index(y));
  }
  Value min(Value x, Value y) {
    return arith::MinSIOp::create(builder, loc, x, y);
  }
  Value ceilDiv(Value x, int64_t y) {
    return arith::CeilDivUIOp::create(builder, loc, x, index(y));
  }
  Value remaining(Value start, Value size, int64_t block) {
    return min(index(block), arith::SubIOp::create(builder, loc, size, start));
  }
  Value lastOf(Value size) {
    return arith::SubIOp::create(builder, loc, size, index(1));
  }
  /// Whether tiles of `tile` along a size of `staticSize` may run past its
  /// end: it is dynamic or not a multiple of the tile.
  static bool mayOverrun(int64_t staticSize, int64_t tile) {
    return ShapedType::isDynamic(staticSize) || staticSize % tile != 0;
  }

  /// The product of the sizes of `flat`'s loops, as a value and statically
  /// (kDynamic when any is dynamic).
  std::pair<Value, int64_t> flatSize(ArrayRef<unsigned> flat) {
    Value size = sizes[flat.front()];
    for (unsigned d : flat.drop_front())
      size = arith::MulIOp::create(builder, loc, size, sizes[d]);
    return {size, staticProduct(ranges, flat)};
  }

  /// Sets `flat`'s loop values to the row-major multi-index of `position`.
  void unflatten(SmallVectorImpl<Value> &loopValues, ArrayRef<unsigned> flat,
                 Value position) {
    for (unsigned d : llvm::reverse(flat.drop_front())) {
      loopValues[d] = arith::RemUIOp::create(builder, loc, position, sizes[d]);
      position = arith::DivUIOp::create(builder, loc, position, sizes[d]);
    }
    loopValues[flat.front()] = position;
  }
  void setRow(SmallVectorImpl<Value> &loopValues, Value row) {
    unflatten(loopValues, loops.m, row);
  }
  void setStep(SmallVectorImpl<Value> &loopValues, Value step) {
    unflatten(loopValues, loops.k, step);
  }

  /// `body(iv)` inside `for iv = 0 to upper step step`.
  void forLoop(Value upper, int64_t step, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(builder, loc, index(0), upper, index(step));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// The indices of `operand` (a projected permutation) at the given loop
  /// values.
  SmallVector<Value> indices(unsigned operand, ArrayRef<Value> loopValues) {
    AffineMap map = maps[operand];
    SmallVector<Value> result;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      result.push_back(loopValues[map.getDimPosition(r)]);
    return result;
  }

  /// `expr` (isLinearInLoops) at the given loop values; loops without a
  /// value count as 0.
  Value evaluate(AffineExpr expr, ArrayRef<Value> loopValues) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      Value value = loopValues[dim.getPosition()];
      return value ? value : index(0);
    }
    auto binary = cast<AffineBinaryOpExpr>(expr);
    Value lhs = evaluate(binary.getLHS(), loopValues);
    if (binary.getKind() == AffineExprKind::Add)
      return add(lhs, evaluate(binary.getRHS(), loopValues));
    return mul(lhs, cast<AffineConstantExpr>(binary.getRHS()).getValue());
  }

  /// The element offset in A's buffer of A's indices at `loopValues`,
  /// without A's own offset.
  Value offsetInA(ArrayRef<Value> loopValues) {
    Value sum = index(0);
    for (auto [expr, stride] : llvm::zip(maps[0].getResults(), aStrides))
      sum = add(sum, arith::MulIOp::create(builder, loc,
                                           evaluate(expr, loopValues), stride));
    return sum;
  }

  /// A, read in place: its buffer as a flat vector, and a table of each
  /// contraction step's offset in it. The address of A at (row, step) is
  /// the row's offset (at step 0) plus the step's (at row 0), since A's
  /// indices are linear in the loops.
  void prepareInPlaceA() {
    auto metadata = memref::ExtractStridedMetadataOp::create(builder, loc, a);
    aStrides = llvm::to_vector_of<Value>(metadata.getStrides());
    aOffset = metadata.getOffset();
    // The buffer's extent: one past its last element.
    Value extent = add(aOffset, index(1));
    for (auto [size, stride] : llvm::zip(metadata.getSizes(), aStrides))
      extent = add(extent, arith::MulIOp::create(builder, loc, lastOf(size), stride));
    flatA = memref::ReinterpretCastOp::create(
        builder, loc, MemRefType::get({ShapedType::kDynamic}, element),
        metadata.getBaseBuffer(), OpFoldResult(builder.getIndexAttr(0)),
        ArrayRef<OpFoldResult>{extent}, ArrayRef<OpFoldResult>{builder.getIndexAttr(1)});
    stepOffsets = memref::AllocOp::create(
        builder, loc, MemRefType::get({ShapedType::kDynamic}, builder.getIndexType()),
        ValueRange{depth}, builder.getI64IntegerAttr(64));
    forLoop(depth, 1, [&](Value step) {
      SmallVector<Value> loopValues(op.getNumLoops());
      setStep(loopValues, step);
      memref::StoreOp::create(builder, loc, offsetInA(loopValues), stepOffsets,
                              ValueRange{step});
    });
  }

  /// B's scalar at column `col` (clamped to the matrix, reading zero past
  /// its edge), at the other loop values given.
  Value loadBOrZero(SmallVector<Value> loopValues, Value col) {
    bool overruns = mayOverrun(ranges[loops.n], tiling.cols);
    Value lastCol = lastOf(sizes[loops.n]);
    loopValues[loops.n] = overruns ? min(col, lastCol) : col;
    Value value = memref::LoadOp::create(builder, loc, b, indices(1, loopValues));
    if (!overruns)
      return value;
    Value inside = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ule,
                                         col, lastCol);
    Value zero = arith::ConstantOp::create(builder, loc,
                                           builder.getZeroAttr(element));
    return arith::SelectOp::create(builder, loc, inside, value, zero);
  }

  Value alloc(ArrayRef<int64_t> shape) {
    return memref::AllocOp::create(builder, loc, MemRefType::get(shape, element),
                                   builder.getI64IntegerAttr(64));
  }

  /// One task's rows x columns of C. For each k slice, B's block is packed
  /// once, then row blocks sweep its column panels in turn (a block's rows
  /// of A stay in cache across the panels).
  void emitBlock(ValueRange ivs) {
    SmallVector<Value> loopValues(op.getNumLoops());
    for (auto [d, iv] : llvm::zip(loops.batch, ivs))
      loopValues[d] = iv;
    Value taskRow = arith::MulIOp::create(builder, loc, ivs[loops.batch.size()], taskM);
    Value blockCol = mul(ivs[loops.batch.size() + 1], tiling.blockN);
    Value taskRows = min(taskM, arith::SubIOp::create(builder, loc, rowCount, taskRow));
    Value blockCols = remaining(blockCol, sizes[loops.n], tiling.blockN);

    Value packedB = alloc({tiling.blockN / tiling.cols, tiling.blockK, tiling.cols});
    forLoop(depth, tiling.blockK, [&](Value slice) {
      Value sliceLength = remaining(slice, depth, tiling.blockK);
      // The epilogue runs when the last slice writes C back.
      Value lastSlice;
      if (epilogue)
        lastSlice = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                          add(slice, sliceLength), depth);
      packB(packedB, loopValues, blockCol, blockCols, slice, sliceLength);
      forLoop(taskRows, tiling.blockM, [&](Value rowOffset) {
        Value blockRow = add(taskRow, rowOffset);
        Value blockRows = remaining(blockRow, rowCount, tiling.blockM);
        forLoop(blockCols, tiling.cols, [&](Value col) {
          forLoop(blockRows, tiling.rows, [&](Value row) {
            multiplyTile(packedB, loopValues, add(blockRow, row),
                         add(blockCol, col), div(col, tiling.cols), slice,
                         sliceLength, lastSlice);
          });
        });
      });
    });
    memref::DeallocOp::create(builder, loc, packedB);
  }

  /// packedB[c / cols][k][c % cols] = B[slice + k, blockCol + c].
  void packB(Value packed, SmallVector<Value> loopValues, Value blockCol,
             Value blockCols, Value slice, Value sliceLength) {
    auto type = cast<MemRefType>(b.getType());
    forLoop(blockCols, tiling.cols, [&](Value col) {
      Value panel = div(col, tiling.cols);
      Value firstCol = add(blockCol, col);
      if (isInnermost(maps[1], type, loops.n)) {
        // Rows of B are contiguous: copy a panel row with one vector read,
        // zero-padded past the last column.
        forLoop(sliceLength, 1, [&](Value k) {
          setStep(loopValues, add(slice, k));
          loopValues[loops.n] = firstCol;
          bool inBounds = !mayOverrun(ranges[loops.n], tiling.cols);
          Value zero = arith::ConstantOp::create(builder, loc,
                                                 builder.getZeroAttr(element));
          Value row = vector::TransferReadOp::create(
              builder, loc, panelType, b, indices(1, loopValues), zero,
              ArrayRef<bool>{inBounds});
          vector::StoreOp::create(builder, loc, row, packed,
                                  ValueRange{panel, k, index(0)});
        });
        return;
      }
      forLoop(index(tiling.cols), 1, [&](Value cIdx) {
        forLoop(sliceLength, 1, [&](Value k) {
          setStep(loopValues, add(slice, k));
          Value value = loadBOrZero(loopValues, add(firstCol, cIdx));
          memref::StoreOp::create(builder, loc, value, packed,
                                  ValueRange{panel, k, cIdx});
        });
      });
    });
  }

  /// C[row.., col..] += A's rows x packedB's panel over the slice, with the
  /// register tile in loop-carried vectors; A's elements are read in place,
  /// at each row's offset plus the step's. After the last slice (when
  /// `lastSlice` holds) the epilogue's result is written instead.
  void multiplyTile(Value packedB, SmallVector<Value> loopValues, Value row,
                    Value col, Value panelB, Value slice, Value sliceLength,
                    Value lastSlice) {
    bool rowsInBounds = !mayOverrun(staticRowCount, tiling.rows);
    bool colsInBounds = !mayOverrun(ranges[loops.n], tiling.cols);
    Value lastRow = lastOf(rowCount);
    loopValues[loops.n] = col;
    SmallVector<Value> rowIndex, accumulators, rowOffsets;
    SmallVector<SmallVector<Value>> cIndices;
    Value zeros = arith::ConstantOp::create(
        builder, loc, panelType,
        DenseElementsAttr::get(panelType, builder.getZeroAttr(element)));
    Value firstSlice;
    if (zeroFill && !singleSlice)
      firstSlice = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                         slice, index(0));
    for (int64_t r = 0; r < tiling.rows; ++r) {
      Value at = add(row, index(r));
      rowIndex.push_back(at);
      // Rows past the edge read the last row; they are never written back.
      setRow(loopValues, rowsInBounds ? at : min(at, lastRow));
      cIndices.push_back(indices(2, loopValues));
      accumulators.push_back(readAccumulator(cIndices.back(), colsInBounds,
                                             zeros, firstSlice));
      SmallVector<Value> atStepZero(loopValues);
      for (unsigned d : loops.k)
        atStepZero[d] = Value();
      rowOffsets.push_back(add(aOffset, offsetInA(atStepZero)));
    }

    auto loop = scf::ForOp::create(
        builder, loc, index(0), sliceLength, index(1), accumulators,
        [&](OpBuilder &nested, Location nloc, Value k, ValueRange acc) {
          Value bRow = vector::LoadOp::create(nested, nloc, panelType, packedB,
                                              ValueRange{panelB, k, index(0)});
          Value stepOffset = memref::LoadOp::create(
              nested, nloc, stepOffsets,
              ValueRange{arith::AddIOp::create(nested, nloc, slice, k)});
          SmallVector<Value> next;
          for (int64_t r = 0; r < tiling.rows; ++r) {
            Value aValue = memref::LoadOp::create(
                nested, nloc, flatA,
                ValueRange{arith::AddIOp::create(nested, nloc, rowOffsets[r],
                                                 stepOffset)});
            Value broadcast =
                vector::BroadcastOp::create(nested, nloc, panelType, aValue);
            next.push_back(
                vector::FMAOp::create(nested, nloc, broadcast, bRow, acc[r]));
          }
          scf::YieldOp::create(nested, nloc, next);
        });

    for (int64_t r = 0; r < tiling.rows; ++r) {
      auto write = [&](OpBuilder &b) {
        ArrayRef<Value> at = cIndices[r];
        auto store = [&](OpBuilder &sb, Value value, Value buffer) {
          vector::TransferWriteOp::create(sb, loc, value, buffer, at,
                                          ArrayRef<bool>{colsInBounds});
        };
        if (!epilogue) {
          store(b, loop.getResult(r), c);
          return;
        }
        scf::IfOp::create(
            b, loc, lastSlice,
            [&](OpBuilder &tb, Location l) {
              store(tb, epilogue->apply(tb, l, loop.getResult(r), at, colsInBounds),
                    epilogue->output());
              scf::YieldOp::create(tb, l);
            },
            [&](OpBuilder &eb, Location l) {
              store(eb, loop.getResult(r), c);
              scf::YieldOp::create(eb, l);
            });
      };
      if (rowsInBounds) {
        write(builder);
        continue;
      }
      Value inside = arith::CmpIOp::create(
          builder, loc, arith::CmpIPredicate::ule, rowIndex[r], lastRow);
      scf::IfOp::create(builder, loc, inside, [&](OpBuilder &b, Location l) {
        write(b);
        scf::YieldOp::create(b, l);
      });
    }
  }

  /// The tile row of C at `at` that a slice accumulates onto: C itself, or
  /// zeros on the first slice when C was zero-filled.
  Value readAccumulator(ArrayRef<Value> at, bool inBounds, Value zeros,
                        Value firstSlice) {
    Value zero = arith::ConstantOp::create(builder, loc,
                                           builder.getZeroAttr(element));
    auto read = [&](OpBuilder &b, Location l) -> Value {
      return vector::TransferReadOp::create(b, l, panelType, c, at, zero,
                                            ArrayRef<bool>{inBounds});
    };
    if (!zeroFill)
      return read(builder, loc);
    if (singleSlice)
      return zeros;
    return scf::IfOp::create(
               builder, loc, firstSlice,
               [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, zeros); },
               [&](OpBuilder &b, Location l) {
                 scf::YieldOp::create(b, l, read(b, l));
               })
        .getResult(0);
  }

  linalg::GenericOp op;
  const MatmulLoops &loops;
  const MatmulTiling &tiling;
  bool parallel;
  std::optional<cotan::MatmulEpilogue> epilogue;
  // The zero fill of C that the first slice's accumulators replace.
  Operation *zeroFill;
  bool singleSlice; // the contraction takes one slice
  OpBuilder builder;
  Location loc;
  SmallVector<int64_t> ranges; // static loop sizes (kDynamic where unknown)
  SmallVector<Value> sizes;    // loop sizes at run time
  Value rowCount, depth;       // rows and contraction steps (flattened)
  int64_t staticRowCount;
  Value taskM;                 // rows of C per task (a blockM multiple)
  Type element;
  VectorType panelType;
  SmallVector<AffineMap> maps;
  Value a, b, c;
  // A read in place: its buffer flat, offset and strides, and each
  // contraction step's offset.
  Value flatA, aOffset, stepOffsets;
  SmallVector<Value> aStrides;
};

struct TileMatmul : mlir::cotan::impl::TileMatmulBase<TileMatmul> {
  using TileMatmulBase::TileMatmulBase;

  MatmulTiling tilingFor(linalg::GenericOp op, const MatmulLoops &loops) const {
    Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    unsigned bits = mlir::cotan::vectorBitsOrHost(vectorBits);
    int64_t lanes = std::max<int64_t>(1, bits / element.getIntOrFloatBitWidth());
    MatmulTiling tiling;
    // Two vectors per row. LLVM's scheduler may issue all of a step's
    // broadcasts before its FMAs, so rows * 3 + 2 vectors (accumulators,
    // broadcasts, B's row) must fit the register file: 8 rows with 32
    // registers (AVX-512), 4 with 16. More rows spill in the inner loop.
    tiling.cols = 2 * lanes;
    tiling.rows = registerRows ? int64_t(registerRows) : bits >= 512 ? 8 : 4;
    // A B panel (blockK x cols) takes 32 KiB of L1; B's packed block and a
    // row block of A fit L2.
    int64_t bytes = element.getIntOrFloatBitWidth() / 8;
    tiling.blockK = tileK ? int64_t(tileK)
                          : std::max<int64_t>(16, 32 * 1024 / (tiling.cols * bytes));
    int64_t m = tileM ? int64_t(tileM) : 8 * tiling.rows;
    int64_t n = tileN ? int64_t(tileN) : 8 * tiling.cols;
    tiling.blockM = llvm::alignTo(m, tiling.rows);
    tiling.blockN = llvm::alignTo(n, tiling.cols);
    // A slice bounds B's packed block and the lines of A a register tile
    // touches. When consecutive steps walk A's contiguous dimension (its
    // innermost index involves the last contraction loop: c channels-last,
    // or the window's last offset in NCHW) those lines are few, and when
    // all of B's columns for all steps fit L2, one slice takes them, so C
    // is read and written once.
    AffineMap aMap = op.getIndexingMapsArray()[0];
    bool stepsContiguous =
        aMap.getResult(aMap.getNumResults() - 1).isFunctionOfDim(loops.k.back()) &&
        cast<MemRefType>(op.getDpsInputs()[0].getType()).isLastDimUnitStride();
    int64_t columns = op.getStaticLoopRanges()[loops.n];
    int64_t steps = staticProduct(op.getStaticLoopRanges(), loops.k);
    if (!tileK && stepsContiguous && !ShapedType::isDynamic(steps) &&
        !ShapedType::isDynamic(columns) &&
        steps * std::min(tiling.blockN, int64_t(llvm::alignTo(columns, tiling.cols))) * bytes <=
            kPackedBBytes)
      tiling.blockK = std::max<int64_t>(steps, 1);
    tiling.tasks = minTasks ? int64_t(minTasks)
                            : std::max(1u, std::thread::hardware_concurrency());
    return tiling;
  }

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    for (auto [name, value] : {std::pair{"tile-m", int64_t(tileM)},
                               std::pair{"tile-n", int64_t(tileN)},
                               std::pair{"tile-k", int64_t(tileK)},
                               std::pair{"register-rows", int64_t(registerRows)},
                               std::pair{"min-tasks", int64_t(minTasks)}})
      if (value < 0)
        return errorHandler(Twine("cotan-tile-matmul: ") + name +
                            " must be positive (or 0 for the default), got " +
                            Twine(value));
    return success();
  }

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, MatmulLoops>> matmuls;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<MatmulLoops> loops = matchMatmul(op);
      if (!loops)
        return;
      // A dynamic size counts as large: shape-polymorphic code is tiled.
      int64_t work = 1;
      SmallVector<unsigned> counted = {loops->n};
      llvm::append_range(counted, loops->m);
      llvm::append_range(counted, loops->k);
      for (unsigned d : counted) {
        int64_t size = op.getStaticLoopRanges()[d];
        work = std::min(work * (ShapedType::isDynamic(size) ? kMinMultiplyAdds : size),
                        kMinMultiplyAdds * kMinMultiplyAdds);
      }
      if (work < kMinMultiplyAdds)
        return;
      matmuls.emplace_back(op, *loops);
    });
    for (auto &[op, loops] : matmuls) {
      MatmulTiling tiling = tilingFor(op, loops);
      std::optional<cotan::MatmulEpilogue> epilogue;
      if (fuseEpilogues)
        epilogue = cotan::MatmulEpilogue::match(op, op.getDpsInits()[0]);
      if (epilogue)
        epilogue->hoistAllocations(op);
      MatmulEmitter(op, loops, tiling, parallel, epilogue).emit();
    }
  }
};

} // namespace
