//===- TileMatmul.cpp - the cotan-tile-matmul pass ------------------------===//
//
// A matrix multiply runs at the speed of its inner loop only if that loop
// keeps a tile of the result in vector registers and streams both operands
// from cache: the classic GotoBLAS/BLIS scheme. Blocks of the result go to
// threads; per slice of the contraction, A and B are copied ("packed") into
// contiguous zero-padded panels, and a register tile of accumulators does
// one broadcast FMA per row per step.
//
//===----------------------------------------------------------------------===//

#include "HostTarget.h"
#include "MatmulEpilogue.h"
#include "TaskLoop.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <thread>

namespace mlir::cotan {
#define GEN_PASS_DEF_TILEMATMUL
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// Below this many multiply-adds, packing costs more than it saves.
constexpr int64_t kMinMultiplyAdds = 1 << 15;

/// The loops of `C[batch, m, n] += A[..] * B[..]`.
struct MatmulLoops {
  SmallVector<unsigned> batch;
  unsigned m, n, k;
};

/// Block and register-tile sizes.
struct MatmulTiling {
  int64_t tasks;                  // how many tasks keep every thread busy
  int64_t blockM, blockN, blockK; // packed blocks of A and B; a k slice
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

/// Classifies the loops of a float multiply-accumulate generic on buffers
/// of one element type (any size may be dynamic); fails unless there is one
/// m, one n and one k loop and n is the result's innermost, unit-stride
/// dimension.
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
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;

  MatmulLoops loops;
  std::optional<unsigned> m, n, k;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    bool inA = maps[0].isFunctionOfDim(d), inB = maps[1].isFunctionOfDim(d),
         inC = maps[2].isFunctionOfDim(d);
    bool reduction = iterators[d] == utils::IteratorType::reduction;
    std::optional<unsigned> *slot = nullptr;
    if (inA && inB && inC && !reduction)
      loops.batch.push_back(d);
    else if (inA && !inB && inC && !reduction)
      slot = &m;
    else if (!inA && inB && inC && !reduction)
      slot = &n;
    else if (inA && inB && !inC && reduction)
      slot = &k;
    else
      return std::nullopt;
    if (slot && slot->has_value())
      return std::nullopt;
    if (slot)
      *slot = d;
  }
  if (!m || !n || !k)
    return std::nullopt;
  loops.m = *m;
  loops.n = *n;
  loops.k = *k;

  auto resultMap = maps[2];
  auto resultType = cast<MemRefType>(op.getDpsInits()[0].getType());
  if (resultMap.getDimPosition(resultMap.getNumResults() - 1) != loops.n ||
      !resultType.isLastDimUnitStride())
    return std::nullopt;
  return loops;
}

/// Whether `map`'s innermost result is loop `d` on a unit-stride buffer.
bool isInnermost(AffineMap map, MemRefType type, unsigned d) {
  return map.getDimPosition(map.getNumResults() - 1) == d &&
         type.isLastDimUnitStride();
}

/// Emits the blocked multiply for one matched generic. Loop sizes are
/// values (constants when static): a dynamic size only turns the edge
/// handling on, as for a static size that is not a multiple of the tile.
class MatmulEmitter {
public:
  MatmulEmitter(linalg::GenericOp op, const MatmulLoops &loops,
                const MatmulTiling &tiling, bool parallel,
                std::optional<cotan::MatmulEpilogue> epilogue)
      : op(op), loops(loops), tiling(tiling), parallel(parallel),
        epilogue(epilogue),
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
  }

  void emit() {
    // Tasks take whole column blocks and chunks of rows as tall as leaves
    // enough tasks to keep every thread busy: the taller, the fewer times
    // B's blocks are packed.
    Value others = ceilDiv(sizes[loops.n], tiling.blockN);
    for (unsigned d : loops.batch)
      others = arith::MulIOp::create(builder, loc, others, sizes[d]);
    Value rowBlocks = ceilDiv(sizes[loops.m], tiling.blockM);
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
    counts.push_back(arith::CeilDivUIOp::create(builder, loc, sizes[loops.m], taskM));
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
    op.erase();
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
  Value remaining(Value start, unsigned loop, int64_t block) {
    return min(index(block),
               arith::SubIOp::create(builder, loc, sizes[loop], start));
  }
  /// The last index of `loop`.
  Value last(unsigned loop) {
    return arith::SubIOp::create(builder, loc, sizes[loop], index(1));
  }
  /// Whether tiles of `tile` along `loop` may run past its end: its size is
  /// dynamic or not a multiple of the tile.
  bool mayOverrun(unsigned loop, int64_t tile) const {
    return ShapedType::isDynamic(ranges[loop]) || ranges[loop] % tile != 0;
  }

  /// `body(iv)` inside `for iv = 0 to upper step step`.
  void forLoop(Value upper, int64_t step, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(builder, loc, index(0), upper, index(step));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// The indices of `operand` at the given loop values.
  SmallVector<Value> indices(unsigned operand, ArrayRef<Value> loopValues) {
    AffineMap map = maps[operand];
    SmallVector<Value> result;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      result.push_back(loopValues[map.getDimPosition(r)]);
    return result;
  }

  /// A scalar of `operand` at row `row` (clamped to the matrix, reading zero
  /// past its edge) of loop `rowLoop`, at the other loop values given.
  Value loadOrZero(unsigned operand, SmallVector<Value> loopValues,
                   unsigned rowLoop, Value row) {
    bool overruns =
        mayOverrun(rowLoop, rowLoop == loops.m ? tiling.rows : tiling.cols);
    Value lastRow = last(rowLoop);
    loopValues[rowLoop] = overruns ? min(row, lastRow) : row;
    Value value = memref::LoadOp::create(builder, loc, operandValue(operand),
                                         indices(operand, loopValues));
    if (!overruns)
      return value;
    Value inside = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ule,
                                         row, lastRow);
    Value zero = arith::ConstantOp::create(builder, loc,
                                           builder.getZeroAttr(element));
    return arith::SelectOp::create(builder, loc, inside, value, zero);
  }

  Value operandValue(unsigned operand) {
    return operand == 0 ? a : operand == 1 ? b : c;
  }

  Value alloc(ArrayRef<int64_t> shape) {
    return memref::AllocOp::create(builder, loc, MemRefType::get(shape, element),
                                   builder.getI64IntegerAttr(64));
  }

  /// One task's rows x columns of C. For each k slice, B's block is packed
  /// once, then A's row blocks are packed and multiplied in turn.
  void emitBlock(ValueRange ivs) {
    SmallVector<Value> loopValues(op.getNumLoops());
    for (auto [d, iv] : llvm::zip(loops.batch, ivs))
      loopValues[d] = iv;
    Value taskRow = arith::MulIOp::create(builder, loc, ivs[loops.batch.size()], taskM);
    Value blockCol = mul(ivs[loops.batch.size() + 1], tiling.blockN);
    Value taskRows = min(taskM, arith::SubIOp::create(builder, loc,
                                                      sizes[loops.m], taskRow));
    Value blockCols = remaining(blockCol, loops.n, tiling.blockN);

    Value packedA = alloc({tiling.blockM / tiling.rows, tiling.blockK, tiling.rows});
    Value packedB = alloc({tiling.blockN / tiling.cols, tiling.blockK, tiling.cols});
    forLoop(sizes[loops.k], tiling.blockK, [&](Value slice) {
      Value sliceLength = remaining(slice, loops.k, tiling.blockK);
      // The epilogue runs when the last slice writes C back.
      Value lastSlice;
      if (epilogue)
        lastSlice = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                          add(slice, sliceLength),
                                          sizes[loops.k]);
      packB(packedB, loopValues, blockCol, blockCols, slice, sliceLength);
      forLoop(taskRows, tiling.blockM, [&](Value rowOffset) {
        Value blockRow = add(taskRow, rowOffset);
        Value blockRows = remaining(blockRow, loops.m, tiling.blockM);
        packA(packedA, loopValues, blockRow, blockRows, slice, sliceLength);
        forLoop(blockCols, tiling.cols, [&](Value col) {
          forLoop(blockRows, tiling.rows, [&](Value row) {
            multiplyTile(packedA, packedB, loopValues, add(blockRow, row),
                         add(blockCol, col), div(row, tiling.rows),
                         div(col, tiling.cols), sliceLength, lastSlice);
          });
        });
      });
    });
    memref::DeallocOp::create(builder, loc, packedA);
    memref::DeallocOp::create(builder, loc, packedB);
  }

  /// packedA[r / rows][k][r % rows] = A[blockRow + r, slice + k].
  void packA(Value packed, SmallVector<Value> loopValues, Value blockRow,
             Value blockRows, Value slice, Value sliceLength) {
    // Walk A along its contiguous dimension.
    bool rowsInner = isInnermost(maps[0], cast<MemRefType>(a.getType()), loops.m);
    forLoop(blockRows, tiling.rows, [&](Value row) {
      Value panel = div(row, tiling.rows);
      auto copy = [&](Value r, Value k) {
        loopValues[loops.k] = add(slice, k);
        Value value = loadOrZero(0, loopValues, loops.m,
                                 add(blockRow, add(row, r)));
        memref::StoreOp::create(builder, loc, value, packed,
                                ValueRange{panel, k, r});
      };
      if (rowsInner) {
        forLoop(sliceLength, 1, [&](Value k) {
          forLoop(index(tiling.rows), 1, [&](Value r) { copy(r, k); });
        });
      } else {
        forLoop(index(tiling.rows), 1, [&](Value r) {
          forLoop(sliceLength, 1, [&](Value k) { copy(r, k); });
        });
      }
    });
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
          loopValues[loops.k] = add(slice, k);
          loopValues[loops.n] = firstCol;
          bool inBounds = !mayOverrun(loops.n, tiling.cols);
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
          loopValues[loops.k] = add(slice, k);
          Value value = loadOrZero(1, loopValues, loops.n, add(firstCol, cIdx));
          memref::StoreOp::create(builder, loc, value, packed,
                                  ValueRange{panel, k, cIdx});
        });
      });
    });
  }

  /// C[row.., col..] += packedA panel x packedB panel over the slice, with
  /// the register tile in loop-carried vectors. After the last slice (when
  /// `lastSlice` holds) the epilogue's result is written instead.
  void multiplyTile(Value packedA, Value packedB, SmallVector<Value> loopValues,
                    Value row, Value col, Value panelA, Value panelB,
                    Value sliceLength, Value lastSlice) {
    bool rowsInBounds = !mayOverrun(loops.m, tiling.rows);
    bool colsInBounds = !mayOverrun(loops.n, tiling.cols);
    Value lastRow = last(loops.m);
    Value zero = arith::ConstantOp::create(builder, loc,
                                           builder.getZeroAttr(element));
    loopValues[loops.n] = col;
    SmallVector<Value> rowIndex, accumulators;
    for (int64_t r = 0; r < tiling.rows; ++r) {
      Value at = add(row, index(r));
      rowIndex.push_back(at);
      // Rows past the edge read the last row; they are never written back.
      loopValues[loops.m] = rowsInBounds ? at : min(at, lastRow);
      accumulators.push_back(vector::TransferReadOp::create(
          builder, loc, panelType, c, indices(2, loopValues), zero,
          ArrayRef<bool>{colsInBounds}));
    }

    auto loop = scf::ForOp::create(
        builder, loc, index(0), sliceLength, index(1), accumulators,
        [&](OpBuilder &nested, Location nloc, Value k, ValueRange acc) {
          Value bRow = vector::LoadOp::create(nested, nloc, panelType, packedB,
                                              ValueRange{panelB, k, index(0)});
          SmallVector<Value> next;
          for (int64_t r = 0; r < tiling.rows; ++r) {
            Value aValue = memref::LoadOp::create(
                nested, nloc, packedA,
                ValueRange{panelA, k,
                           arith::ConstantIndexOp::create(nested, nloc, r)});
            Value broadcast =
                vector::BroadcastOp::create(nested, nloc, panelType, aValue);
            next.push_back(
                vector::FMAOp::create(nested, nloc, broadcast, bRow, acc[r]));
          }
          scf::YieldOp::create(nested, nloc, next);
        });

    for (int64_t r = 0; r < tiling.rows; ++r) {
      loopValues[loops.m] = rowIndex[r];
      auto write = [&](OpBuilder &b) {
        SmallVector<Value> at = indices(2, loopValues);
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

  linalg::GenericOp op;
  const MatmulLoops &loops;
  const MatmulTiling &tiling;
  bool parallel;
  std::optional<cotan::MatmulEpilogue> epilogue;
  OpBuilder builder;
  Location loc;
  SmallVector<int64_t> ranges; // static loop sizes (kDynamic where unknown)
  SmallVector<Value> sizes;    // loop sizes at run time
  Value taskM;                 // rows of C per task (a blockM multiple)
  Type element;
  VectorType panelType;
  SmallVector<AffineMap> maps;
  Value a, b, c;
};

struct TileMatmul : mlir::cotan::impl::TileMatmulBase<TileMatmul> {
  using TileMatmulBase::TileMatmulBase;

  MatmulTiling tilingFor(linalg::GenericOp op, const MatmulLoops &loops) const {
    Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    unsigned bits = mlir::cotan::vectorBitsOrHost(vectorBits);
    int64_t lanes = std::max<int64_t>(1, bits / element.getIntOrFloatBitWidth());
    MatmulTiling tiling;
    // Two vectors per row; with 32 registers (AVX-512) 14 rows of
    // accumulators, with 16 registers 6, leaving room for the B row and
    // the broadcast.
    tiling.cols = 2 * lanes;
    tiling.rows = registerRows ? int64_t(registerRows) : bits >= 512 ? 14 : 6;
    // A B panel (blockK x cols) takes 32 KiB of L1; the packed blocks of A
    // and B fit L2.
    int64_t bytes = element.getIntOrFloatBitWidth() / 8;
    tiling.blockK = tileK ? int64_t(tileK)
                          : std::max<int64_t>(16, 32 * 1024 / (tiling.cols * bytes));
    int64_t m = tileM ? int64_t(tileM) : 8 * tiling.rows;
    int64_t n = tileN ? int64_t(tileN) : 8 * tiling.cols;
    tiling.blockM = llvm::alignTo(m, tiling.rows);
    tiling.blockN = llvm::alignTo(n, tiling.cols);
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
      for (unsigned d : {loops->m, loops->n, loops->k}) {
        int64_t size = op.getStaticLoopRanges()[d];
        work *= ShapedType::isDynamic(size) ? kMinMultiplyAdds : size;
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
