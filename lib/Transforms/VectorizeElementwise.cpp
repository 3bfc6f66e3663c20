//===- VectorizeElementwise.cpp - the cotan-vectorize-elementwise pass ----===//
//
// LLVM's loop vectorizer gives up on long fused bodies (polynomial
// approximations, selects, conversions), so elementwise loops are
// vectorized here, where the whole body is known to be elementwise: each
// op is cloned onto vectors. Large loops are split into chunks that run on
// the async runtime's worker threads.
//
//===----------------------------------------------------------------------===//

#include "HostTarget.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// How an operand is read along the innermost loop.
enum class Access { Contiguous, Invariant };

bool isScalar(Type type) { return type.isIntOrFloat(); }

/// Whether every op of the body has a vector form: elementwise-mappable ops
/// and constants on scalars, reading nothing but block arguments, other
/// body values and scalars from above.
bool hasElementwiseBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (!llvm::all_of(body.getArgumentTypes(), isScalar))
    return false;
  for (Operation &inner : body.without_terminator()) {
    if (inner.getNumRegions() != 0 ||
        !llvm::all_of(inner.getResultTypes(), isScalar) ||
        !llvm::all_of(inner.getOperandTypes(), isScalar))
      return false;
    if (!isa<arith::ConstantOp>(inner) &&
        !OpTrait::hasElementwiseMappableTraits(&inner))
      return false;
  }
  return true;
}

/// The access of each operand, if the generic is an elementwise loop nest
/// on static buffers whose outputs are contiguous along the innermost loop.
std::optional<SmallVector<Access>> matchElementwise(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
      op.getNumReductionLoops() != 0 || !hasElementwiseBody(op))
    return std::nullopt;
  unsigned inner = op.getNumLoops() - 1;
  SmallVector<Access> accesses;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!type || !type.hasStaticShape() || !map.isProjectedPermutation())
      return std::nullopt;
    if (!map.isFunctionOfDim(inner)) {
      if (op.isDpsInit(&operand))
        return std::nullopt;
      accesses.push_back(Access::Invariant);
      continue;
    }
    if (map.getDimPosition(map.getNumResults() - 1) != inner ||
        !type.isLastDimUnitStride())
      return std::nullopt; // a transposed read: a gather
    accesses.push_back(Access::Contiguous);
  }
  return accesses;
}

/// The widest element the loop moves, in bits (booleans are bytes).
unsigned widestElement(linalg::GenericOp op) {
  unsigned widest = 8;
  for (Type type : op->getOperandTypes())
    widest = std::max(widest,
                      getElementTypeOrSelf(type).getIntOrFloatBitWidth());
  op.getRegion().walk([&](Operation *inner) {
    for (Type type : inner->getResultTypes())
      widest = std::max(widest, type.getIntOrFloatBitWidth());
  });
  return widest;
}

class ElementwiseEmitter {
public:
  ElementwiseEmitter(linalg::GenericOp op, ArrayRef<Access> accesses,
                     int64_t lanes, int64_t chunk, bool parallel)
      : op(op), accesses(accesses), lanes(lanes), builder(op),
        loc(op.getLoc()), ranges(op.getStaticLoopRanges()) {
    inner = ranges.size() - 1;
    rows = 1;
    for (unsigned d = 0; d < inner; ++d)
      rows *= ranges[d];
    length = ranges[inner];
    // Chunks are whole vectors, so only a row's last chunk has a tail.
    chunkLength = parallel ? std::min<int64_t>(length, llvm::alignTo(chunk, lanes)) : length;
    chunksPerRow = llvm::divideCeil(length, chunkLength);
    this->parallel = parallel && rows * chunksPerRow > 1;
  }

  void emit() {
    int64_t tasks = rows * chunksPerRow;
    auto body = [&](OpBuilder &nested, Location, Value task) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(nested.getInsertionBlock(),
                                nested.getInsertionPoint());
      emitTask(task);
    };
    if (parallel) {
      scf::ParallelOp::create(
          builder, loc, ValueRange{index(0)}, ValueRange{index(tasks)},
          ValueRange{index(1)},
          [&](OpBuilder &nested, Location l, ValueRange ivs) {
            body(nested, l, ivs[0]);
          });
    } else {
      scf::ForOp::create(builder, loc, index(0), index(tasks), index(1),
                         ValueRange{},
                         [&](OpBuilder &nested, Location l, Value iv, ValueRange) {
                           body(nested, l, iv);
                           scf::YieldOp::create(nested, l);
                         });
    }
    op.erase();
  }

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(builder, loc, value);
  }

  /// One chunk of one row: whole vectors, then a masked tail if the row
  /// ends in this chunk on a partial vector.
  void emitTask(Value task) {
    SmallVector<Value> loopValues(ranges.size());
    Value row = task, chunk = index(0);
    if (rows == 1) {
      row = index(0);
      chunk = task;
    } else if (chunksPerRow > 1) {
      row = arith::DivUIOp::create(builder, loc, task, index(chunksPerRow));
      chunk = arith::RemUIOp::create(builder, loc, task, index(chunksPerRow));
    }
    for (int64_t d = int64_t(inner) - 1; d > 0; --d) {
      loopValues[d] = arith::RemUIOp::create(builder, loc, row, index(ranges[d]));
      row = arith::DivUIOp::create(builder, loc, row, index(ranges[d]));
    }
    if (inner > 0)
      loopValues[0] = row; // already below ranges[0]
    Value start = arith::MulIOp::create(builder, loc, chunk, index(chunkLength));
    Value end = arith::MinSIOp::create(
        builder, loc, arith::AddIOp::create(builder, loc, start, index(chunkLength)),
        index(length));
    Value count = arith::SubIOp::create(builder, loc, end, start);
    Value whole = arith::MulIOp::create(
        builder, loc,
        arith::DivUIOp::create(builder, loc, count, index(lanes)), index(lanes));
    Value wholeEnd = arith::AddIOp::create(builder, loc, start, whole);

    auto loop = scf::ForOp::create(builder, loc, start, wholeEnd, index(lanes));
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(loop.getBody()->getTerminator());
      loopValues[inner] = loop.getInductionVar();
      emitStep(loopValues, /*inBounds=*/true);
    }
    if (length % lanes == 0)
      return;
    Value hasTail = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult,
                                          wholeEnd, end);
    scf::IfOp::create(builder, loc, hasTail, [&](OpBuilder &b, Location l) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(b.getInsertionBlock(), b.getInsertionPoint());
      loopValues[inner] = wholeEnd;
      emitStep(loopValues, /*inBounds=*/false);
      scf::YieldOp::create(b, l);
    });
  }

  SmallVector<Value> indices(OpOperand &operand, ArrayRef<Value> loopValues) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    SmallVector<Value> result;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      result.push_back(loopValues[map.getDimPosition(r)]);
    return result;
  }

  VectorType vectorOf(Type element) { return VectorType::get({lanes}, element); }

  Value splat(Value scalar) {
    return vector::BroadcastOp::create(builder, loc, vectorOf(scalar.getType()),
                                       scalar);
  }

  /// One vector of the loop at `loopValues`: read, compute, write.
  void emitStep(ArrayRef<Value> loopValues, bool inBounds) {
    Block &body = op.getRegion().front();
    IRMapping mapping;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = body.getArgument(operand.getOperandNumber());
      if (arg.use_empty())
        continue;
      Type element = arg.getType();
      SmallVector<Value> at = indices(operand, loopValues);
      if (accesses[operand.getOperandNumber()] == Access::Invariant) {
        mapping.map(arg, splat(memref::LoadOp::create(builder, loc,
                                                      operand.get(), at)));
        continue;
      }
      Value padding = arith::ConstantOp::create(builder, loc,
                                                builder.getZeroAttr(element));
      mapping.map(arg, vector::TransferReadOp::create(
                           builder, loc, vectorOf(element), operand.get(), at,
                           padding, ArrayRef<bool>{inBounds}));
    }
    for (Operation &inner : body.without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
        auto type = vectorOf(constant.getType());
        mapping.map(constant.getResult(),
                    arith::ConstantOp::create(
                        builder, loc, type,
                        SplatElementsAttr::get(type, constant.getValue())));
        continue;
      }
      for (Value operand : inner.getOperands())
        if (!mapping.contains(operand))
          mapping.map(operand, splat(operand)); // a scalar from above
      Operation *vectorOp = builder.clone(inner, mapping);
      for (Value result : vectorOp->getResults())
        result.setType(vectorOf(result.getType()));
    }
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    for (auto [value, init] : llvm::zip(yield.getValues(), op.getDpsInitsMutable())) {
      Value vector = mapping.lookupOrDefault(value);
      if (!isa<VectorType>(vector.getType()))
        vector = splat(vector); // a block argument or scalar from above
      vector::TransferWriteOp::create(builder, loc, vector, init.get(),
                                      indices(init, loopValues),
                                      ArrayRef<bool>{inBounds});
    }
  }

  linalg::GenericOp op;
  ArrayRef<Access> accesses;
  int64_t lanes;
  bool parallel;
  OpBuilder builder;
  Location loc;
  SmallVector<int64_t> ranges;
  unsigned inner;
  int64_t rows, length, chunkLength, chunksPerRow;
};

struct VectorizeElementwise
    : mlir::cotan::impl::VectorizeElementwiseBase<VectorizeElementwise> {
  using VectorizeElementwiseBase::VectorizeElementwiseBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, SmallVector<Access>>> loops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<SmallVector<Access>> accesses = matchElementwise(op))
        loops.emplace_back(op, std::move(*accesses));
    });
    unsigned bits = mlir::cotan::vectorBitsOrHost(vectorBits);
    for (auto &[op, accesses] : loops) {
      int64_t lanes = std::max<unsigned>(1, bits / widestElement(op));
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      int64_t elements = 1;
      for (int64_t range : ranges)
        elements *= range;
      // Rows shorter than half a vector waste most lanes.
      if (2 * ranges.back() < lanes || elements == 0)
        continue;
      bool parallel = parallelThreshold > 0 && elements >= parallelThreshold;
      ElementwiseEmitter(op, accesses, lanes, chunk, parallel).emit();
    }
  }
};

} // namespace
