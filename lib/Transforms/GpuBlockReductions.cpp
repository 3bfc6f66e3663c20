//===- GpuBlockReductions.cpp - the cotan-gpu-block-reductions pass -------===//
//
// The generic GPU mapping gives each output of a reduction one thread that
// loops over the reduced elements: right for many outputs each reducing a
// strided column, but a row sum then reads rows one thread apart (no
// coalescing) and a total runs in a single thread. Here a block of threads
// reduces each output instead: the threads stride through the reduced
// elements together (consecutive threads, consecutive elements), then
// combine their partial results in a tree through workgroup memory. With few
// outputs and many elements, several blocks share an output and a second
// kernel combines their partials.
//
//===----------------------------------------------------------------------===//

#include "GpuKernelBuilder.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_GPUBLOCKREDUCTIONS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using mlir::cotan::KernelBuilder;

namespace {

/// Blocks the GPUs we target keep busy: 132 multiprocessors, four blocks
/// each. A reduction with fewer outputs splits each one over several
/// blocks, as long as each block still reduces `kElementsPerBlock` or more.
constexpr int64_t kBlocksToFill = 4 * 132;
constexpr int64_t kElementsPerBlock = 4096;
/// Fewer reduced elements per output than this stay one thread's loop.
constexpr int64_t kMinReductionSize = 64;

/// A single-output reduction whose body folds each element into the
/// accumulator with one combiner that has a neutral element.
struct Reduction {
  linalg::LinalgOp op;
  Operation *combiner;
  TypedAttr neutral;
  SmallVector<unsigned> parallelDims, reductionDims;
};

std::optional<Reduction> matchReduction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasOnlyProjectedPermutations())
    return std::nullopt;
  auto outType = dyn_cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
  // Booleans become bytes later; a workgroup buffer of i1 would not.
  if (!outType || outType.getElementType().isInteger(1))
    return std::nullopt;
  BlockArgument acc = op.getRegionOutputArgs()[0];
  Operation *combiner = op.getBlock()->getTerminator()->getOperand(0).getDefiningOp();
  if (!acc.hasOneUse() || !combiner || combiner->getBlock() != op.getBlock() ||
      combiner->getNumOperands() != 2 || combiner->getNumResults() != 1 ||
      !llvm::is_contained(combiner->getOperands(), acc) ||
      combiner->getOperand(0) == combiner->getOperand(1))
    return std::nullopt;
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiner);
  if (!neutral)
    return std::nullopt;
  Reduction reduction{op, combiner, *neutral, {}, {}};
  for (auto [dim, kind] : llvm::enumerate(op.getIteratorTypesArray()))
    (kind == utils::IteratorType::parallel ? reduction.parallelDims : reduction.reductionDims)
        .push_back(dim);
  return reduction;
}

/// Whether a block per output beats a thread per output: the reduced
/// dimension is an input's contiguous one (threads read consecutive
/// elements), or there are too few outputs to fill the GPU.
bool worthBlocks(const Reduction &reduction) {
  linalg::LinalgOp op = reduction.op;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  int64_t outputs = 1, reduced = 1;
  for (unsigned dim : reduction.parallelDims)
    outputs = ShapedType::isDynamic(sizes[dim]) || ShapedType::isDynamic(outputs)
                  ? ShapedType::kDynamic
                  : outputs * sizes[dim];
  for (unsigned dim : reduction.reductionDims)
    reduced = ShapedType::isDynamic(sizes[dim]) || ShapedType::isDynamic(reduced)
                  ? ShapedType::kDynamic
                  : reduced * sizes[dim];
  if (!ShapedType::isDynamic(reduced) && reduced < kMinReductionSize)
    return false;
  bool rowWise = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *input) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() == 0)
      return false;
    unsigned innermost = cast<AffineDimExpr>(map.getResults().back()).getPosition();
    return llvm::is_contained(reduction.reductionDims, innermost);
  });
  return rowWise || (!ShapedType::isDynamic(outputs) && outputs < 2 * kBlocksToFill);
}

/// Builds the kernels of one reduction.
class ReductionBuilder {
public:
  ReductionBuilder(const Reduction &reduction, int64_t threads)
      : r(reduction), op(reduction.op), b(op), loc(op.getLoc()), k(b, loc), threads(threads) {
    for (Range range : op.createLoopRanges(b, loc))
      loopSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    outputs = product(r.parallelDims);
    reduced = product(r.reductionDims);
  }

  void build() {
    Value zero = k.index(0);
    auto guard = scf::IfOp::create(b, loc, k.less(zero, outputs), /*withElseRegion=*/false);
    b.setInsertionPointToStart(guard.thenBlock());
    int64_t blocksPerOutput = splitCount();
    if (blocksPerOutput == 1) {
      // One kernel: each block folds its result into the output.
      buildKernel(k.index(1), [&](Value output, Value, Value threadId) {
        return reduceElements(output, threadId, k.index(threads));
      }, [&](Value output, Value, Value total) { foldIntoOutput(output, total); });
    } else {
      // Partials of each output's slices, then one block per output.
      Type type = elementType();
      int64_t outputCount = *getConstantIntValue(outputs); // known when split
      Value partials =
          memref::AllocOp::create(b, loc, MemRefType::get({outputCount, blocksPerOutput}, type));
      Value slices = k.index(blocksPerOutput);
      buildKernel(slices, [&](Value output, Value slice, Value threadId) {
        Value start = k.add(k.mul(slice, k.index(threads)), threadId);
        return reduceElements(output, start, k.index(threads * blocksPerOutput));
      }, [&](Value output, Value slice, Value total) {
        memref::StoreOp::create(b, loc, total, partials, ValueRange{output, slice});
      });
      buildKernel(k.index(1), [&](Value output, Value, Value threadId) {
        return foldLoop(threadId, slices, k.index(threads), [&](Value j, Value partial) {
          Value value = memref::LoadOp::create(b, loc, partials, ValueRange{output, j});
          return combine(partial, value);
        });
      }, [&](Value output, Value, Value total) { foldIntoOutput(output, total); });
      memref::DeallocOp::create(b, loc, partials);
    }
    op->erase();
  }

private:
  Type elementType() {
    return cast<MemRefType>(op.getDpsInitOperand(0)->get().getType()).getElementType();
  }
  Value product(ArrayRef<unsigned> dims) {
    Value result = k.index(1);
    for (unsigned dim : dims)
      result = k.mul(result, loopSizes[dim]);
    return result;
  }

  /// Blocks per output: enough to fill the GPU when the sizes are known.
  int64_t splitCount() {
    std::optional<int64_t> outputCount = getConstantIntValue(outputs);
    std::optional<int64_t> reducedCount = getConstantIntValue(reduced);
    if (!outputCount || !reducedCount)
      return 1;
    int64_t wanted = llvm::divideCeil(kBlocksToFill, *outputCount);
    int64_t worthwhile = llvm::divideCeil(*reducedCount, kElementsPerBlock);
    return std::max<int64_t>(1, std::min(wanted, worthwhile));
  }

  /// Splits `flat` (below the product of their sizes) into the loop
  /// indices of `dims`, the last fastest.
  void delinearize(Value flat, ArrayRef<unsigned> dims, SmallVectorImpl<Value> &loopValues) {
    if (dims.empty())
      return;
    for (unsigned dim : llvm::reverse(dims.drop_front())) {
      loopValues[dim] = b.createOrFold<arith::RemUIOp>(loc, flat, loopSizes[dim]);
      flat = b.createOrFold<arith::DivUIOp>(loc, flat, loopSizes[dim]);
    }
    loopValues[dims.front()] = flat;
  }

  Value combine(Value partial, Value value) {
    IRMapping mapping;
    BlockArgument acc = op.getRegionOutputArgs()[0];
    Value other = r.combiner->getOperand(0) == acc ? r.combiner->getOperand(1)
                                                   : r.combiner->getOperand(0);
    mapping.map(acc, partial);
    mapping.map(other, value);
    return b.clone(*r.combiner, mapping)->getResult(0);
  }

  /// `scf.for i = start to end step step` folding `body(i, partial)` into
  /// a partial result that starts neutral.
  Value foldLoop(Value start, Value end, Value step, function_ref<Value(Value, Value)> body) {
    Value neutral = arith::ConstantOp::create(b, loc, r.neutral);
    auto loop = scf::ForOp::create(b, loc, start, end, step, ValueRange{neutral},
                                   [&](OpBuilder &nested, Location, Value i, ValueRange partial) {
                                     OpBuilder::InsertionGuard guard(b);
                                     b.restoreInsertionPoint(nested.saveInsertionPoint());
                                     scf::YieldOp::create(b, loc, body(i, partial[0]));
                                   });
    return loop.getResult(0);
  }

  /// This thread's fold of the reduced elements start, start + step, ...
  /// of output `output`: the op's body with the accumulator as the partial.
  Value reduceElements(Value output, Value start, Value step) {
    SmallVector<Value> loopValues(op.getNumLoops());
    delinearize(output, r.parallelDims, loopValues);
    return foldLoop(start, reduced, step, [&](Value flat, Value partial) {
      delinearize(flat, r.reductionDims, loopValues);
      IRMapping mapping;
      for (OpOperand *input : op.getDpsInputOperands()) {
        Value value = input->get();
        if (isa<MemRefType>(value.getType())) {
          value = memref::LoadOp::create(
              b, loc, value, applyPermutationMap(op.getMatchingIndexingMap(input), ArrayRef(loopValues)));
        }
        mapping.map(op.getMatchingBlockArgument(input), value);
      }
      mapping.map(op.getRegionOutputArgs()[0], partial);
      for (Operation &inner : op.getBlock()->without_terminator()) {
        if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
          mapping.map(index.getResult(), loopValues[index.getDim()]);
          continue;
        }
        b.clone(inner, mapping);
      }
      return mapping.lookup(op.getBlock()->getTerminator()->getOperand(0));
    });
  }

  void foldIntoOutput(Value output, Value total) {
    SmallVector<Value> loopValues(op.getNumLoops());
    delinearize(output, r.parallelDims, loopValues);
    OpOperand *init = op.getDpsInitOperand(0);
    SmallVector<Value> indices =
        applyPermutationMap(op.getMatchingIndexingMap(init), ArrayRef<Value>(loopValues));
    Value initial = memref::LoadOp::create(b, loc, init->get(), indices);
    memref::StoreOp::create(b, loc, combine(initial, total), init->get(), indices);
  }

  /// A kernel of `outputs` x `slices` blocks of `threads` threads: each
  /// thread computes `partial(output, slice, thread)`, the block combines
  /// them in a tree, and its first thread calls `finish(output, slice, total)`.
  void buildKernel(Value slices, function_ref<Value(Value, Value, Value)> partial,
                   function_ref<void(Value, Value, Value)> finish) {
    OpBuilder::InsertionGuard guard(b);
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
    auto treeType = MemRefType::get({threads}, elementType(), AffineMap(), workgroup);
    Value one = k.index(1);
    auto launch = gpu::LaunchOp::create(b, loc, outputs, slices, one, k.index(threads), one, one,
                                        /*dynamicSharedMemorySize=*/nullptr,
                                        /*asyncTokenType=*/nullptr, ValueRange{},
                                        TypeRange{treeType});
    b.setInsertionPointToStart(&launch.getBody().front());
    Value output = launch.getBlockIds().x, slice = launch.getBlockIds().y;
    Value threadId = launch.getThreadIds().x;
    Value tree = launch.getWorkgroupAttributions()[0];
    memref::StoreOp::create(b, loc, partial(output, slice, threadId), tree, threadId);
    gpu::BarrierOp::create(b, loc);
    for (int64_t half = threads / 2; half > 0; half /= 2) {
      auto active = scf::IfOp::create(b, loc, k.less(threadId, k.index(half)), false);
      {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(active.thenBlock());
        Value mine = memref::LoadOp::create(b, loc, tree, threadId);
        Value theirs = memref::LoadOp::create(b, loc, tree, k.add(threadId, k.index(half)));
        memref::StoreOp::create(b, loc, combine(mine, theirs), tree, threadId);
      }
      gpu::BarrierOp::create(b, loc);
    }
    auto first = scf::IfOp::create(b, loc, k.less(threadId, one), false);
    b.setInsertionPointToStart(first.thenBlock());
    finish(output, slice, memref::LoadOp::create(b, loc, tree, k.index(0)));
    b.setInsertionPointAfter(first);
    gpu::TerminatorOp::create(b, loc);
  }

  const Reduction &r;
  linalg::LinalgOp op;
  OpBuilder b;
  Location loc;
  KernelBuilder k;
  int64_t threads;
  SmallVector<Value> loopSizes;
  Value outputs, reduced;
};

struct GpuBlockReductions : mlir::cotan::impl::GpuBlockReductionsBase<GpuBlockReductions> {
  using Base::Base;
  void runOnOperation() override {
    if (threads < 2 || threads > 1024 || !llvm::isPowerOf2_64(threads)) {
      getOperation().emitError("cotan-gpu-block-reductions needs a power of two from 2 to 1024 "
                               "threads, got ")
          << static_cast<int64_t>(threads);
      return signalPassFailure();
    }
    SmallVector<Reduction> reductions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (std::optional<Reduction> reduction = matchReduction(op); reduction && worthBlocks(*reduction))
        reductions.push_back(std::move(*reduction));
    });
    for (const Reduction &reduction : reductions)
      ReductionBuilder(reduction, threads).build();
  }
};

} // namespace
