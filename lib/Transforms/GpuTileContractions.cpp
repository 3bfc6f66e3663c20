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

#include "GpuKernelBuilder.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_GPUTILECONTRACTIONS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using mlir::cotan::KernelBuilder;

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

/// What the two kernels share: the sizes, the launch, and the loads and
/// stores of operands and output at loop positions.
class ContractionKernel {
public:
  ContractionKernel(linalg::LinalgOp op, const ContractionLoops &loops)
      : op(op), loops(loops), b(op), loc(op.getLoc()), k(b, loc),
        maps(op.getIndexingMapsArray()) {
    for (Range range : op.createLoopRanges(b, loc))
      loopSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    for (int i = 0; i < 3; ++i)
      sizesOf[i] = applyPermutationMap(maps[i], ArrayRef(loopSizes));
    m = loopSizes[loops.m];
    n = loopSizes[loops.n];
    depth = loopSizes[loops.k];
    batches = loops.batch ? loopSizes[*loops.batch] : k.index(1);
    lhs = op.getDpsInputOperand(0)->get();
    rhs = op.getDpsInputOperand(1)->get();
    out = op.getDpsInitOperand(0)->get();
  }

  OpBuilder &builder() { return b; }
  KernelBuilder &ints() { return k; }
  Location location() const { return loc; }
  Type elementType(Value memref) { return cast<MemRefType>(memref.getType()).getElementType(); }
  /// A buffer type in workgroup (shared) memory.
  MemRefType sharedType(ArrayRef<int64_t> shape, Type type) {
    return MemRefType::get(
        shape, type, AffineMap(),
        gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  }

  /// Opens a `gpu.launch` of ceil(n / tileN) x ceil(m / tileM) x batches
  /// blocks of threadsX x threadsY threads, inside a check that there are
  /// outputs (a launch of zero blocks is an error); the builder is left in
  /// its body.
  void openLaunch(int64_t tileM, int64_t tileN, int64_t threadsX, int64_t threadsY,
                  TypeRange workgroupTypes) {
    Value zero = k.index(0);
    Value hasOutputs = k.both(k.both(k.less(zero, m), k.less(zero, n)), k.less(zero, batches));
    auto guard = scf::IfOp::create(b, loc, hasOutputs, /*withElseRegion=*/false);
    b.setInsertionPointToStart(guard.thenBlock());
    Value gridX = b.createOrFold<arith::CeilDivUIOp>(loc, n, k.index(tileN));
    Value gridY = b.createOrFold<arith::CeilDivUIOp>(loc, m, k.index(tileM));
    launch = gpu::LaunchOp::create(b, loc, gridX, gridY, batches, k.index(threadsX),
                                   k.index(threadsY), k.index(1),
                                   /*dynamicSharedMemorySize=*/nullptr,
                                   /*asyncTokenType=*/nullptr, ValueRange{}, workgroupTypes);
    b.setInsertionPointToStart(&launch.getBody().front());
    thread = launch.getThreadIds();
    block = launch.getBlockIds();
    rowBase = k.mul(block.y, tileM);
    colBase = k.mul(block.x, tileN);
    linearThread = k.add(k.mul(thread.y, threadsX), thread.x);
    numThreads = threadsX * threadsY;
  }

  void closeLaunch() {
    gpu::TerminatorOp::create(b, loc);
    op->erase();
  }

  Value workgroup(unsigned i) { return launch.getWorkgroupAttributions()[i]; }
  gpu::KernelDim3 threadIds() { return thread; }
  Value firstRow() { return rowBase; }
  Value firstColumn() { return colBase; }
  Value threadIndex() { return linearThread; }
  Value lhsOperand() { return lhs; }
  Value rhsOperand() { return rhs; }

  /// The output at (row, col), zero outside the output.
  Value loadOutput(Value row, Value col) {
    Value zero = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(elementType(out))));
    return k.loadOr(out, applyPermutationMap(maps[2], ArrayRef(loopValues(row, col, k.index(0)))), sizesOf[2],
                    inOutput(row, col), zero);
  }

  /// Stores `value` at (row, col) if that is inside the output.
  void storeOutput(Value row, Value col, Value value) {
    auto inBounds = scf::IfOp::create(b, loc, inOutput(row, col), /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(inBounds.thenBlock());
    memref::StoreOp::create(b, loc, value, out,
                            applyPermutationMap(maps[2], ArrayRef(loopValues(row, col, k.index(0)))));
  }

  /// Loads this block's slice of operand `which` (0: lhs, along m; 1: rhs,
  /// along n) of `extent` rows by `kTile` from k = kBase, each thread
  /// extent * kTile / numThreads elements, consecutive threads along the
  /// operand's contiguous dimension, zeros outside; `store(r, kk, element)`
  /// puts each one in workgroup memory.
  void stage(int which, Value kBase, int64_t extent, int64_t kTile,
             function_ref<void(Value, Value, Value)> store) {
    Value operand = which == 0 ? lhs : rhs;
    Value base = which == 0 ? rowBase : colBase;
    Value bound = which == 0 ? m : n;
    AffineMap map = maps[which];
    bool kContiguous = cast<AffineDimExpr>(map.getResults().back()).getPosition() == loops.k;
    Value padding =
        arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(elementType(operand))));
    Value zero = k.index(0);
    for (int64_t e = 0; e < extent * kTile / numThreads; ++e) {
      Value flat = k.add(linearThread, e * numThreads);
      Value inner = k.index(kContiguous ? kTile : extent);
      Value major = b.createOrFold<arith::DivUIOp>(loc, flat, inner);
      Value minor = b.createOrFold<arith::RemUIOp>(loc, flat, inner);
      Value kk = kContiguous ? minor : major, r = kContiguous ? major : minor;
      Value global = k.add(base, r), kGlobal = k.add(kBase, kk);
      SmallVector<Value> values =
          which == 0 ? loopValues(global, zero, kGlobal) : loopValues(zero, global, kGlobal);
      Value inBounds = k.both(k.less(global, bound), k.less(kGlobal, depth));
      store(r, kk, k.loadOr(operand, applyPermutationMap(map, ArrayRef(values)), sizesOf[which], inBounds, padding));
    }
  }

  /// `scf.for` over the k-slices from 0 to depth by kTile, carrying the
  /// accumulators through `body(kBase, accumulators) -> accumulators`.
  SmallVector<Value> overSlices(int64_t kTile, ValueRange initial,
                                function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(
        b, loc, k.index(0), depth, k.index(kTile), initial,
        [&](OpBuilder &nested, Location, Value kBase, ValueRange accs) {
          OpBuilder::InsertionGuard outer(b);
          b.restoreInsertionPoint(nested.saveInsertionPoint());
          scf::YieldOp::create(b, loc, body(kBase, accs));
        });
    return SmallVector<Value>(loop.getResults());
  }

private:
  Value inOutput(Value row, Value col) { return k.both(k.less(row, m), k.less(col, n)); }

  SmallVector<Value> loopValues(Value row, Value col, Value kk) {
    SmallVector<Value> values(op.getNumLoops());
    values[loops.m] = row;
    values[loops.n] = col;
    values[loops.k] = kk;
    if (loops.batch)
      values[*loops.batch] = block.z;
    return values;
  }

  linalg::LinalgOp op;
  ContractionLoops loops;
  OpBuilder b;
  Location loc;
  KernelBuilder k;
  SmallVector<AffineMap> maps;
  SmallVector<Value> loopSizes, sizesOf[3];
  Value m, n, depth, batches, lhs, rhs, out;
  gpu::LaunchOp launch;
  gpu::KernelDim3 thread, block;
  Value rowBase, colBase, linearThread;
  int64_t numThreads = 0;
};

/// CUDA cores: `threads` x `threads` threads per block, each accumulating a
/// square of outputs strided by `threads` with the op's own body.
void buildFmaKernel(linalg::LinalgOp op, const ContractionLoops &loops, const TileShape &tile) {
  ContractionKernel c(op, loops);
  OpBuilder &b = c.builder();
  KernelBuilder &k = c.ints();
  Location loc = c.location();

  // Workgroup slices, k-major so a thread's reads along m or n are
  // broadcasts or consecutive; one element of padding per k-row keeps the
  // column-wise stores of a k-contiguous operand off one bank.
  auto sliceType = [&](Value operand) {
    return c.sharedType({tile.kTile, tile.rows() + 1}, c.elementType(operand));
  };
  c.openLaunch(tile.rows(), tile.rows(), tile.threads, tile.threads,
               {sliceType(c.lhsOperand()), sliceType(c.rhsOperand())});
  Value lhsSlice = c.workgroup(0), rhsSlice = c.workgroup(1);
  gpu::KernelDim3 thread = c.threadIds();

  // This thread's outputs: rows firstRow + thread.y + i * threads, columns
  // firstColumn + thread.x + j * threads.
  SmallVector<Value> rows, cols;
  for (int64_t i = 0; i < tile.perThread; ++i) {
    rows.push_back(k.add(k.add(c.firstRow(), thread.y), i * tile.threads));
    cols.push_back(k.add(k.add(c.firstColumn(), thread.x), i * tile.threads));
  }
  SmallVector<Value> initial;
  for (Value row : rows)
    for (Value col : cols)
      initial.push_back(c.loadOutput(row, col));

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
                      arith::FastMathFlagsAttr::get(b.getContext(),
                                                    given | arith::FastMathFlags::contract));
      }
    }
    return mapping.lookupOrDefault(payload.getTerminator()->getOperand(0));
  };

  SmallVector<Value> results = c.overSlices(tile.kTile, initial, [&](Value kBase, ValueRange accs) {
    auto into = [&](Value slice) {
      return [&, slice](Value r, Value kk, Value element) {
        memref::StoreOp::create(b, loc, element, slice, ValueRange{kk, r});
      };
    };
    c.stage(0, kBase, tile.rows(), tile.kTile, into(lhsSlice));
    c.stage(1, kBase, tile.rows(), tile.kTile, into(rhsSlice));
    gpu::BarrierOp::create(b, loc);
    // Unrolled: the slice offsets become constants.
    SmallVector<Value> next(accs.begin(), accs.end());
    for (int64_t kk = 0; kk < tile.kTile; ++kk) {
      Value kIndex = k.index(kk);
      SmallVector<Value> lhsValues, rhsValues;
      for (int64_t i = 0; i < tile.perThread; ++i)
        lhsValues.push_back(memref::LoadOp::create(
            b, loc, lhsSlice, ValueRange{kIndex, k.add(thread.y, i * tile.threads)}));
      for (int64_t j = 0; j < tile.perThread; ++j)
        rhsValues.push_back(memref::LoadOp::create(
            b, loc, rhsSlice, ValueRange{kIndex, k.add(thread.x, j * tile.threads)}));
      for (int64_t i = 0; i < tile.perThread; ++i)
        for (int64_t j = 0; j < tile.perThread; ++j) {
          Value &acc = next[i * tile.perThread + j];
          acc = step(lhsValues[i], rhsValues[j], acc);
        }
    }
    // Nobody overwrites a slice while another thread still reads it.
    gpu::BarrierOp::create(b, loc);
    return next;
  });

  for (auto [i, row] : llvm::enumerate(rows))
    for (auto [j, col] : llvm::enumerate(cols))
      c.storeOutput(row, col, results[i * tile.perThread + j]);
  c.closeLaunch();
}

/// The tensor-core element type of a product of 16-bit floats (both
/// operands f16, or both bf16) accumulated in f32: a body that extends both
/// operands, multiplies them and adds the product to the accumulator.
std::optional<NVVM::MMATypes> tensorCoreType(linalg::LinalgOp op) {
  Type lhsType = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
  Type rhsType = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
  Type accType = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (lhsType != rhsType || !accType.isF32() || !(lhsType.isF16() || lhsType.isBF16()))
    return std::nullopt;
  Block &body = *op.getBlock();
  auto sum = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!sum || !llvm::is_contained(sum->getOperands(), body.getArgument(2)))
    return std::nullopt;
  Value other = sum.getLhs() == body.getArgument(2) ? sum.getRhs() : sum.getLhs();
  auto product = other.getDefiningOp<arith::MulFOp>();
  if (!product || std::distance(body.begin(), body.end()) != 5)
    return std::nullopt;
  SmallVector<Value> factors;
  for (Value factor : product->getOperands()) {
    auto extended = factor.getDefiningOp<arith::ExtFOp>();
    if (!extended)
      return std::nullopt;
    factors.push_back(extended.getIn());
  }
  bool bothArguments = (factors[0] == body.getArgument(0) && factors[1] == body.getArgument(1)) ||
                       (factors[0] == body.getArgument(1) && factors[1] == body.getArgument(0));
  if (!bothArguments)
    return std::nullopt;
  return lhsType.isF16() ? NVVM::MMATypes::f16 : NVVM::MMATypes::bf16;
}

/// Tensor cores (mma.sync m16n8k16, sm_80 and later): a `block` x `block`
/// output tile per block of warps, 2 x (block / 32) of them, each owning a
/// (block / 2) x 32 tile of 16x8 mma tiles. 32-deep slices of both
/// operands sit k-contiguous in workgroup memory, rows padded by 8 halves
/// so that a warp's fragment loads (8 rows by 4 words) hit 32 different
/// banks. Fragments follow PTX's layouts: lane = 4 * g + t reads rows g and
/// g + 8, k pairs 2t and 2t + 8; it accumulates columns 2t and 2t + 1.
void buildMmaKernel(linalg::LinalgOp op, const ContractionLoops &loops, NVVM::MMATypes type,
                    int64_t block) {
  constexpr int64_t kDepth = 32, kRowHalves = kDepth + 8, kRowWords = kRowHalves / 2;
  const int64_t warpsDown = 2, warpsAcross = block / 32;
  const int64_t warpRows = block / warpsDown, warpCols = block / warpsAcross;
  const int64_t mTiles = warpRows / 16, nTiles = warpCols / 8;
  ContractionKernel c(op, loops);
  OpBuilder &b = c.builder();
  KernelBuilder &k = c.ints();
  Location loc = c.location();

  auto bytes = c.sharedType({block * kRowHalves * 2}, b.getI8Type());
  c.openLaunch(block, block, 32 * warpsDown * warpsAcross, 1, {bytes, bytes});
  // Each slice seen as halves (to store) and as 32-bit pairs (to load
  // fragments).
  Type half = c.elementType(c.lhsOperand());
  MemRefType halves = c.sharedType({block, kRowHalves}, half);
  MemRefType words = c.sharedType({block, kRowWords}, b.getI32Type());
  Value zero = k.index(0);
  SmallVector<Value> halfSlices, wordSlices;
  for (unsigned i = 0; i < 2; ++i) {
    halfSlices.push_back(memref::ViewOp::create(b, loc, halves, c.workgroup(i), zero, ValueRange{}));
    wordSlices.push_back(memref::ViewOp::create(b, loc, words, c.workgroup(i), zero, ValueRange{}));
  }

  Value warp = b.createOrFold<arith::DivUIOp>(loc, c.threadIndex(), k.index(32));
  Value lane = b.createOrFold<arith::RemUIOp>(loc, c.threadIndex(), k.index(32));
  Value g = b.createOrFold<arith::DivUIOp>(loc, lane, k.index(4));
  Value t = b.createOrFold<arith::RemUIOp>(loc, lane, k.index(4));
  Value warpRow = k.mul(b.createOrFold<arith::DivUIOp>(loc, warp, k.index(warpsAcross)), warpRows);
  Value warpCol = k.mul(b.createOrFold<arith::RemUIOp>(loc, warp, k.index(warpsAcross)), warpCols);

  // Accumulator (mi, ni, e): row warpRow + 16 mi + g + 8 (e / 2), column
  // warpCol + 8 ni + 2t + e % 2, within the block's tile.
  auto tileRow = [&](int64_t mi, int64_t e) { return k.add(k.add(warpRow, g), 16 * mi + 8 * (e / 2)); };
  auto tileCol = [&](int64_t ni, int64_t e) {
    return k.add(k.add(warpCol, k.mul(t, 2)), 8 * ni + e % 2);
  };
  SmallVector<Value> initial;
  for (int64_t mi = 0; mi < mTiles; ++mi)
    for (int64_t ni = 0; ni < nTiles; ++ni)
      for (int64_t e = 0; e < 4; ++e)
        initial.push_back(c.loadOutput(k.add(c.firstRow(), tileRow(mi, e)),
                                       k.add(c.firstColumn(), tileCol(ni, e))));

  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  SmallVector<Value> results = c.overSlices(kDepth, initial, [&](Value kBase, ValueRange accs) {
    for (unsigned i = 0; i < 2; ++i)
      c.stage(i, kBase, block, kDepth, [&](Value r, Value kk, Value element) {
        memref::StoreOp::create(b, loc, element, halfSlices[i], ValueRange{r, kk});
      });
    gpu::BarrierOp::create(b, loc);
    SmallVector<Value> next(accs.begin(), accs.end());
    // A fragment register: two halves, as an i32 for bf16 and as a
    // vector<2xf16> for f16 (what nvvm.mma.sync takes for each).
    auto pairType = VectorType::get({2}, half);
    auto word = [&](unsigned slice, Value row, int64_t wordCol) -> Value {
      Value pair = memref::LoadOp::create(b, loc, wordSlices[slice], ValueRange{row, k.add(t, wordCol)});
      if (type == NVVM::MMATypes::f16)
        pair = LLVM::BitcastOp::create(b, loc, pairType, pair);
      return pair;
    };
    for (int64_t kStep = 0; kStep < kDepth; kStep += 16) {
      int64_t firstWord = kStep / 2;
      SmallVector<SmallVector<Value>> a, bFragments;
      for (int64_t mi = 0; mi < mTiles; ++mi) {
        Value top = k.add(k.add(warpRow, g), 16 * mi), bottom = k.add(top, 8);
        a.push_back({word(0, top, firstWord), word(0, bottom, firstWord),
                     word(0, top, firstWord + 4), word(0, bottom, firstWord + 4)});
      }
      for (int64_t ni = 0; ni < nTiles; ++ni) {
        Value column = k.add(k.add(warpCol, g), 8 * ni);
        bFragments.push_back({word(1, column, firstWord), word(1, column, firstWord + 4)});
      }
      for (int64_t mi = 0; mi < mTiles; ++mi)
        for (int64_t ni = 0; ni < nTiles; ++ni) {
          MutableArrayRef<Value> acc(next.data() + 4 * (mi * nTiles + ni), 4);
          auto mma = NVVM::MmaOp::create(
              b, loc, resultType, a[mi], bFragments[ni], SmallVector<Value>(acc.begin(), acc.end()),
              ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
              std::array<NVVM::MMATypes, 2>{type, type},
              std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row, NVVM::MMALayout::col});
          for (int64_t e = 0; e < 4; ++e)
            acc[e] = LLVM::ExtractValueOp::create(b, loc, mma, ArrayRef<int64_t>{e});
        }
    }
    gpu::BarrierOp::create(b, loc);
    return next;
  });

  for (int64_t mi = 0; mi < mTiles; ++mi)
    for (int64_t ni = 0; ni < nTiles; ++ni)
      for (int64_t e = 0; e < 4; ++e)
        c.storeOutput(k.add(c.firstRow(), tileRow(mi, e)), k.add(c.firstColumn(), tileCol(ni, e)),
                      results[4 * (mi * nTiles + ni) + e]);
  c.closeLaunch();
}

/// 128x128 tiles reuse each staged element twice as often, but make a
/// quarter as many blocks: on an H200 they won from 4096² outputs (78 vs 61
/// TFLOP/s in bf16) and lost at 1024² (14 vs 16).
int64_t automaticTile(linalg::LinalgOp op, const ContractionLoops &loops) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  int64_t m = sizes[loops.m], n = sizes[loops.n];
  bool large = !ShapedType::isDynamic(m) && !ShapedType::isDynamic(n) && m * n >= 2048 * 2048;
  return large ? 128 : 64;
}

struct GpuTileContractions
    : mlir::cotan::impl::GpuTileContractionsBase<GpuTileContractions> {
  using Base::Base;
  void runOnOperation() override {
    if (tensorCoreTile != 0 && tensorCoreTile != 64 && tensorCoreTile != 128) {
      getOperation().emitError(
          "cotan-gpu-tile-contractions: tensor-core-tile must be 0 (by size), 64 or 128, got ")
          << static_cast<int64_t>(tensorCoreTile);
      return signalPassFailure();
    }
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
    for (auto &[op, loops] : contractions) {
      if (std::optional<NVVM::MMATypes> type = tensorCoreType(op); type && tensorCores)
        buildMmaKernel(op, loops, *type, tensorCoreTile ? tensorCoreTile : automaticTile(op, loops));
      else
        buildFmaKernel(op, loops, tile);
    }
  }
};

} // namespace
