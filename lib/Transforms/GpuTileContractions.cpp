//===- GpuTileContractions.cpp - the cotan-gpu-tile-contractions pass -----===//
//
// A matrix product mapped one thread per output (the generic GPU mapping)
// reads each operand element from global memory once per output that uses
// it. Here a block computes a square tile of outputs, stages k-slices of
// both operands through workgroup memory, and each thread keeps a small
// square of accumulators in registers, so a loaded element is reused
// `thread-tile` times from registers and `threads` times from shared memory.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_GPUTILECONTRACTIONS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// The tile shape: a block of `threads` x `threads` threads, each owning a
/// `perThread` x `perThread` square of outputs strided by `threads` (so
/// neighbouring threads store neighbouring outputs), over `kTile`-deep
/// operand slices.
struct TileShape {
  int64_t threads, perThread, kTile;
  int64_t rows() const { return threads * perThread; }
  int64_t numThreads() const { return threads * threads; }
};

/// The loop dimensions of a contraction this pass handles.
struct ContractionLoops {
  std::optional<unsigned> batch;
  unsigned m, n, k;
};

FailureOr<ContractionLoops> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasOnlyProjectedPermutations() || !linalg::isaContractionOpInterface(op))
    return failure();
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    // Booleans become bytes later; workgroup buffers of i1 would not.
    if (!type || type.getElementType().isInteger(1))
      return failure();
  }
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 || dims->k.size() != 1 ||
      dims->batch.size() > 1 || op.getNumLoops() != 3 + dims->batch.size())
    return failure();
  ContractionLoops loops{std::nullopt, dims->m[0], dims->n[0], dims->k[0]};
  if (!dims->batch.empty())
    loops.batch = dims->batch[0];
  return loops;
}

/// Emits index arithmetic and the loads and stores of one kernel.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); }
  Value add(Value x, Value y) { return b.createOrFold<arith::AddIOp>(loc, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, index(y)); }
  Value mul(Value x, int64_t y) { return b.createOrFold<arith::MulIOp>(loc, x, index(y)); }
  Value less(Value x, Value y) {
    return b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return b.createOrFold<arith::AndIOp>(loc, x, y); }

  /// `memref[indices]`, or `fallback` where `inBounds` is false (the load
  /// itself reads a clamped, valid element).
  Value loadOr(Value memref, ArrayRef<Value> indices, ArrayRef<Value> sizes, Value inBounds,
               Value fallback) {
    SmallVector<Value> clamped;
    Value one = index(1);
    for (auto [i, size] : llvm::zip(indices, sizes))
      clamped.push_back(b.createOrFold<arith::MinUIOp>(loc, i, b.createOrFold<arith::SubIOp>(loc, size, one)));
    Value loaded = memref::LoadOp::create(b, loc, memref, clamped);
    return arith::SelectOp::create(b, loc, inBounds, loaded, fallback);
  }

private:
  OpBuilder &b;
  Location loc;
};

/// The indices of `operand` at loop positions `loopValues` (by loop dim).
SmallVector<Value> operandIndices(AffineMap map, ArrayRef<Value> loopValues) {
  SmallVector<Value> indices;
  for (AffineExpr result : map.getResults())
    indices.push_back(loopValues[cast<AffineDimExpr>(result).getPosition()]);
  return indices;
}

/// Rewrites `op` into one `gpu.launch` (inside a check that it has
/// outputs: a launch of zero blocks is an error).
void tileContraction(linalg::LinalgOp op, const ContractionLoops &loops, const TileShape &tile) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  KernelBuilder k(b, loc);
  MLIRContext *context = op.getContext();

  SmallVector<Value> loopSizes;
  for (Range range : op.createLoopRanges(b, loc))
    loopSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
  Value m = loopSizes[loops.m], n = loopSizes[loops.n], depth = loopSizes[loops.k];
  Value batches = loops.batch ? loopSizes[*loops.batch] : k.index(1);

  Value zero = k.index(0);
  Value hasOutputs = k.both(k.both(k.less(zero, m), k.less(zero, n)), k.less(zero, batches));
  auto guard = scf::IfOp::create(b, loc, hasOutputs, /*withElseRegion=*/false);
  b.setInsertionPointToStart(guard.thenBlock());

  Value rowsPerBlock = k.index(tile.rows());
  Value gridX = b.createOrFold<arith::CeilDivUIOp>(loc, n, rowsPerBlock);
  Value gridY = b.createOrFold<arith::CeilDivUIOp>(loc, m, rowsPerBlock);
  Value threads = k.index(tile.threads);

  // Workgroup slices, k-major so a thread's reads along m or n are
  // broadcasts or consecutive; one element of padding per k-row keeps the
  // column-wise stores of a k-contiguous operand off one bank.
  Value lhs = op.getDpsInputOperand(0)->get(), rhs = op.getDpsInputOperand(1)->get();
  Value out = op.getDpsInitOperand(0)->get();
  auto workgroup = gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  auto sliceType = [&](Value operand) {
    return MemRefType::get({tile.kTile, tile.rows() + 1},
                           cast<MemRefType>(operand.getType()).getElementType(), AffineMap(),
                           workgroup);
  };
  auto launch = gpu::LaunchOp::create(b, loc, gridX, gridY, batches, threads, threads, k.index(1),
                                      /*dynamicSharedMemorySize=*/nullptr,
                                      /*asyncTokenType=*/nullptr, ValueRange{},
                                      TypeRange{sliceType(lhs), sliceType(rhs)});
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::KernelDim3 thread = launch.getThreadIds(), block = launch.getBlockIds();
  Value lhsSlice = launch.getWorkgroupAttributions()[0];
  Value rhsSlice = launch.getWorkgroupAttributions()[1];
  Value rowBase = k.mul(block.y, tile.rows()), colBase = k.mul(block.x, tile.rows());
  Value linearThread = k.add(k.mul(thread.y, tile.threads), thread.x);

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<Value> sizesOf[3];
  for (int i = 0; i < 3; ++i)
    for (AffineExpr result : maps[i].getResults())
      sizesOf[i].push_back(loopSizes[cast<AffineDimExpr>(result).getPosition()]);
  auto loopValues = [&](Value row, Value col, Value kk) {
    SmallVector<Value> values(op.getNumLoops());
    values[loops.m] = row;
    values[loops.n] = col;
    values[loops.k] = kk;
    if (loops.batch)
      values[*loops.batch] = block.z;
    return values;
  };

  // This thread's outputs: rows rowBase + thread.y + i * threads, columns
  // colBase + thread.x + j * threads.
  SmallVector<Value> rows, cols;
  for (int64_t i = 0; i < tile.perThread; ++i) {
    rows.push_back(k.add(k.add(rowBase, thread.y), i * tile.threads));
    cols.push_back(k.add(k.add(colBase, thread.x), i * tile.threads));
  }
  Type accType = cast<MemRefType>(out.getType()).getElementType();
  Value accZero = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(accType)));
  SmallVector<Value> initial;
  for (Value row : rows)
    for (Value col : cols) {
      Value inBounds = k.both(k.less(row, m), k.less(col, n));
      initial.push_back(k.loadOr(out, operandIndices(maps[2], loopValues(row, col, zero)),
                                 sizesOf[2], inBounds, accZero));
    }

  // Stages operand `which` (0: lhs, rows along m; 1: rhs, along n) for the
  // k-slice starting at `kBase`: each thread loads rows * kTile / threads²
  // elements, consecutive threads along the operand's contiguous dimension.
  auto stage = [&](int which, Value kBase) {
    Value operand = which == 0 ? lhs : rhs;
    Value slice = which == 0 ? lhsSlice : rhsSlice;
    unsigned along = which == 0 ? loops.m : loops.n;
    Value base = which == 0 ? rowBase : colBase;
    Value extent = which == 0 ? m : n;
    AffineMap map = maps[which];
    bool kContiguous =
        cast<AffineDimExpr>(map.getResults().back()).getPosition() == loops.k;
    Type type = cast<MemRefType>(operand.getType()).getElementType();
    Value padding = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(type)));
    int64_t perThread = tile.rows() * tile.kTile / tile.numThreads();
    for (int64_t e = 0; e < perThread; ++e) {
      Value flat = k.add(linearThread, e * tile.numThreads());
      Value inner = kContiguous ? k.index(tile.kTile) : k.index(tile.rows());
      Value major = b.createOrFold<arith::DivUIOp>(loc, flat, inner);
      Value minor = b.createOrFold<arith::RemUIOp>(loc, flat, inner);
      Value kk = kContiguous ? minor : major, r = kContiguous ? major : minor;
      Value global = k.add(base, r), kGlobal = k.add(kBase, kk);
      SmallVector<Value> values = along == loops.m ? loopValues(global, zero, kGlobal)
                                                   : loopValues(zero, global, kGlobal);
      Value inBounds = k.both(k.less(global, extent), k.less(kGlobal, depth));
      Value element = k.loadOr(operand, operandIndices(map, values), sizesOf[which], inBounds,
                               padding);
      memref::StoreOp::create(b, loc, element, slice, ValueRange{kk, r});
    }
  };

  Block &payload = *op.getBlock();
  auto step = [&](Value lhsValue, Value rhsValue, Value acc) {
    IRMapping mapping;
    mapping.map(payload.getArgument(0), lhsValue);
    mapping.map(payload.getArgument(1), rhsValue);
    mapping.map(payload.getArgument(2), acc);
    // Multiply-adds may contract to FMAs, as every GPU BLAS computes them.
    for (Operation &inner : payload.without_terminator()) {
      Operation *copy = b.clone(inner, mapping);
      if (auto fastMath = dyn_cast<arith::ArithFastMathInterface>(copy)) {
        arith::FastMathFlagsAttr flags = fastMath.getFastMathFlagsAttr();
        auto given = flags ? flags.getValue() : arith::FastMathFlags::none;
        copy->setAttr(fastMath.getFastMathAttrName(),
                      arith::FastMathFlagsAttr::get(context, given | arith::FastMathFlags::contract));
      }
    }
    return mapping.lookupOrDefault(payload.getTerminator()->getOperand(0));
  };

  Value kTile = k.index(tile.kTile);
  auto overSlices = scf::ForOp::create(
      b, loc, zero, depth, kTile, initial,
      [&](OpBuilder &nested, Location, Value kBase, ValueRange accs) {
        OpBuilder::InsertionGuard outer(b);
        b.restoreInsertionPoint(nested.saveInsertionPoint());
        stage(0, kBase);
        stage(1, kBase);
        gpu::BarrierOp::create(b, loc);
        // Unrolled: the slice offsets become constants.
        SmallVector<Value> next(accs.begin(), accs.end());
        for (int64_t kk = 0; kk < tile.kTile; ++kk) {
          Value kIndex = k.index(kk);
          SmallVector<Value> lhsValues, rhsValues;
          for (int64_t i = 0; i < tile.perThread; ++i) {
            Value offset = k.add(thread.y, i * tile.threads);
            lhsValues.push_back(memref::LoadOp::create(b, loc, lhsSlice, ValueRange{kIndex, offset}));
          }
          for (int64_t j = 0; j < tile.perThread; ++j) {
            Value offset = k.add(thread.x, j * tile.threads);
            rhsValues.push_back(memref::LoadOp::create(b, loc, rhsSlice, ValueRange{kIndex, offset}));
          }
          for (int64_t i = 0; i < tile.perThread; ++i)
            for (int64_t j = 0; j < tile.perThread; ++j) {
              Value &acc = next[i * tile.perThread + j];
              acc = step(lhsValues[i], rhsValues[j], acc);
            }
        }
        // Nobody overwrites a slice while another thread still reads it.
        gpu::BarrierOp::create(b, loc);
        scf::YieldOp::create(b, loc, next);
      });

  for (auto [i, row] : llvm::enumerate(rows))
    for (auto [j, col] : llvm::enumerate(cols)) {
      auto inBounds = scf::IfOp::create(b, loc, k.both(k.less(row, m), k.less(col, n)),
                                        /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(inBounds.thenBlock());
      memref::StoreOp::create(b, loc, overSlices.getResult(i * tile.perThread + j), out,
                              operandIndices(maps[2], loopValues(row, col, zero)));
    }
  gpu::TerminatorOp::create(b, loc);
  op->erase();
}

struct GpuTileContractions
    : mlir::cotan::impl::GpuTileContractionsBase<GpuTileContractions> {
  using Base::Base;
  void runOnOperation() override {
    TileShape tile{threads, threadTile, kTile};
    if (threads < 1 || threadTile < 1 || kTile < 1 || tile.numThreads() > 1024 ||
        tile.rows() * kTile % tile.numThreads() != 0) {
      getOperation().emitError("cotan-gpu-tile-contractions needs positive sizes, at most 1024 "
                               "threads, and (threads * thread-tile * k-tile) divisible by "
                               "threads squared");
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, ContractionLoops>> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (FailureOr<ContractionLoops> loops = matchContraction(op); succeeded(loops))
        contractions.emplace_back(op, *loops);
    });
    for (auto &[op, loops] : contractions)
      tileContraction(op, loops, tile);
  }
};

} // namespace
