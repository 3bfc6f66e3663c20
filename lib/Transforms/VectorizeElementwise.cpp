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
#include "TaskLoop.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace mlir::cotan {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// The size a dynamic loop is assumed to have when deciding whether to
/// parallelize it.
constexpr int64_t kAssumedDynamicSize = 1024;

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

/// The op that folds each element into a reduction's output, and how.
struct Combiner {
  Operation *op;
  vector::CombiningKind kind;
  TypedAttr neutral; // the element that leaves a value unchanged
  bool outputFirst;  // combine(out, value) rather than combine(value, out)
};

/// An associative combiner with a vector.reduction kind: float adds only
/// when reassociation is allowed (the result's order is then free).
std::optional<Combiner> matchCombiner(Operation *op, Value output) {
  if (op->getNumOperands() != 2 || !output.hasOneUse())
    return std::nullopt;
  Type type = output.getType();
  Builder b(op->getContext());
  auto floatAttr = [&](double value) -> TypedAttr {
    return b.getFloatAttr(type, value);
  };
  auto intAttr = [&](APInt value) -> TypedAttr {
    return b.getIntegerAttr(type, value);
  };
  unsigned width = type.getIntOrFloatBitWidth();
  double inf = std::numeric_limits<double>::infinity();
  using Kind = vector::CombiningKind;
  std::optional<std::pair<Kind, TypedAttr>> kind =
      llvm::TypeSwitch<Operation *, std::optional<std::pair<Kind, TypedAttr>>>(op)
          .Case([&](arith::AddFOp add) -> std::optional<std::pair<Kind, TypedAttr>> {
            if (!bitEnumContainsAll(add.getFastmath(),
                                    arith::FastMathFlags::reassoc))
              return std::nullopt;
            return std::pair{Kind::ADD, floatAttr(0.0)};
          })
          .Case([&](arith::MaximumFOp) { return std::pair{Kind::MAXIMUMF, floatAttr(-inf)}; })
          .Case([&](arith::MinimumFOp) { return std::pair{Kind::MINIMUMF, floatAttr(inf)}; })
          .Case([&](arith::MaxNumFOp) { return std::pair{Kind::MAXNUMF, floatAttr(-inf)}; })
          .Case([&](arith::MinNumFOp) { return std::pair{Kind::MINNUMF, floatAttr(inf)}; })
          .Case([&](arith::AddIOp) { return std::pair{Kind::ADD, intAttr(APInt::getZero(width))}; })
          .Case([&](arith::MulIOp) { return std::pair{Kind::MUL, intAttr(APInt(width, 1))}; })
          .Case([&](arith::MaxSIOp) { return std::pair{Kind::MAXSI, intAttr(APInt::getSignedMinValue(width))}; })
          .Case([&](arith::MinSIOp) { return std::pair{Kind::MINSI, intAttr(APInt::getSignedMaxValue(width))}; })
          .Case([&](arith::MaxUIOp) { return std::pair{Kind::MAXUI, intAttr(APInt::getZero(width))}; })
          .Case([&](arith::MinUIOp) { return std::pair{Kind::MINUI, intAttr(APInt::getMaxValue(width))}; })
          .Case([&](arith::OrIOp) { return std::pair{Kind::OR, intAttr(APInt::getZero(width))}; })
          .Case([&](arith::AndIOp) { return std::pair{Kind::AND, intAttr(APInt::getAllOnes(width))}; })
          .Case([&](arith::XOrIOp) { return std::pair{Kind::XOR, intAttr(APInt::getZero(width))}; })
          .Default([](Operation *) { return std::nullopt; });
  if (!kind)
    return std::nullopt;
  return Combiner{op, kind->first, kind->second, op->getOperand(0) == output};
}

/// What the emitter needs to know about a matched generic.
struct ElementwiseLoop {
  SmallVector<Access> accesses;       // one per operand
  std::optional<Combiner> reduction; // set if the innermost loop reduces
};

/// Matches an elementwise loop nest, contiguous along the innermost loop for
/// its outputs, or one whose innermost loop alone reduces into a single
/// output through an associative combiner. Outer loops may have dynamic
/// sizes (a symbolic batch); the innermost one is checked static by the
/// caller.
std::optional<ElementwiseLoop> matchElementwise(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
      !hasElementwiseBody(op))
    return std::nullopt;
  unsigned inner = op.getNumLoops() - 1;
  ElementwiseLoop loop;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[inner] == utils::IteratorType::reduction) {
    if (op.getNumReductionLoops() != 1 || op.getNumDpsInits() != 1)
      return std::nullopt;
    Block &body = op.getRegion().front();
    Value yielded = body.getTerminator()->getOperand(0);
    Operation *combiner = yielded.getDefiningOp();
    if (!combiner || combiner->getBlock() != &body)
      return std::nullopt;
    loop.reduction = matchCombiner(combiner, body.getArguments().back());
    if (!loop.reduction)
      return std::nullopt;
  }
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!type || !map.isProjectedPermutation())
      return std::nullopt;
    if (!map.isFunctionOfDim(inner)) {
      if (op.isDpsInit(&operand) && !loop.reduction)
        return std::nullopt;
      loop.accesses.push_back(Access::Invariant);
      continue;
    }
    if (map.getDimPosition(map.getNumResults() - 1) != inner ||
        !type.isLastDimUnitStride())
      return std::nullopt; // a transposed read: a gather
    loop.accesses.push_back(Access::Contiguous);
  }
  return loop;
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
  ElementwiseEmitter(linalg::GenericOp op, const ElementwiseLoop &loop,
                     int64_t lanes, int64_t chunk, bool parallel)
      : op(op), accesses(loop.accesses), reduction(loop.reduction),
        lanes(lanes), builder(op),
        loc(op.getLoc()), ranges(op.getStaticLoopRanges()),
        sizes(cotan::loopSizes(builder, loc, op)) {
    inner = ranges.size() - 1;
    rows = 1;
    rowCount = index(1);
    auto iterators = op.getIteratorTypesArray();
    for (unsigned d = 0; d < inner; ++d) {
      if (iterators[d] == utils::IteratorType::reduction) {
        sequentialDims.push_back(d);
        continue;
      }
      taskDims.push_back(d);
      rows = ShapedType::isDynamic(rows) || ShapedType::isDynamic(ranges[d])
                 ? ShapedType::kDynamic
                 : rows * ranges[d];
      rowCount = arith::MulIOp::create(builder, loc, rowCount, sizes[d]);
    }
    length = ranges[inner];
    // Chunks are whole vectors, so only a row's last chunk has a tail.
    chunkLength = parallel ? std::min<int64_t>(length, llvm::alignTo(chunk, lanes)) : length;
    chunksPerRow = llvm::divideCeil(length, chunkLength);
    // A dynamic number of short rows is shared out in groups of rows of
    // about a chunk, so that a small batch makes one task (run inline) and
    // a large one enough tasks for every thread.
    if (parallel && ShapedType::isDynamic(rows) && chunksPerRow == 1)
      rowsPerTask = std::max<int64_t>(1, chunk / length);
    // A dynamic row count may be large: the loop is parallel as asked.
    this->parallel = parallel && (ShapedType::isDynamic(rows) || rows * chunksPerRow > 1);
  }

  void emit() {
    Value tasks =
        rowsPerTask > 1
            ? Value(arith::CeilDivUIOp::create(builder, loc, rowCount, index(rowsPerTask)))
            : Value(arith::MulIOp::create(builder, loc, rowCount, index(chunksPerRow)));
    if (reduction && chunksPerRow > 1) {
      Type element = output().getType().getElementType();
      partials = ShapedType::isDynamic(rows)
                     ? memref::AllocOp::create(
                           builder, loc, MemRefType::get({ShapedType::kDynamic}, element),
                           ValueRange{tasks})
                     : memref::AllocOp::create(
                           builder, loc, MemRefType::get({rows * chunksPerRow}, element));
    }
    cotan::buildTaskLoop(builder, loc, tasks, parallel, [&](OpBuilder &nested, Value task) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(nested.getInsertionBlock(),
                                nested.getInsertionPoint());
      emitTask(task);
    });
    if (partials) {
      combinePartials();
      memref::DeallocOp::create(builder, loc, partials);
    }
    op.erase();
  }

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(builder, loc, value);
  }

  /// Sets the values of the task loops (outer parallel loops) for row
  /// number `row` of their iteration space, the last loop varying fastest.
  void setRowLoopValues(Value row, SmallVector<Value> &loopValues) {
    for (int64_t t = int64_t(taskDims.size()) - 1; t > 0; --t) {
      unsigned d = taskDims[t];
      loopValues[d] = arith::RemUIOp::create(builder, loc, row, sizes[d]);
      row = arith::DivUIOp::create(builder, loc, row, sizes[d]);
    }
    if (!taskDims.empty())
      loopValues[taskDims.front()] = row; // already below its range
  }

  /// One chunk of one row, or a group of whole rows.
  void emitTask(Value task) {
    if (rowsPerTask > 1) {
      Value first = arith::MulIOp::create(builder, loc, task, index(rowsPerTask));
      Value end = arith::MinUIOp::create(
          builder, loc, arith::AddIOp::create(builder, loc, first, index(rowsPerTask)),
          rowCount);
      auto rowLoop = scf::ForOp::create(builder, loc, first, end, index(1));
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(rowLoop.getBody()->getTerminator());
      emitChunk(task, rowLoop.getInductionVar(), index(0));
      return;
    }
    Value row = task, chunk = index(0);
    if (rows == 1) {
      row = index(0);
      chunk = task;
    } else if (chunksPerRow > 1) {
      row = arith::DivUIOp::create(builder, loc, task, index(chunksPerRow));
      chunk = arith::RemUIOp::create(builder, loc, task, index(chunksPerRow));
    }
    emitChunk(task, row, chunk);
  }

  /// Chunk `chunk` of row `row`: whole vectors, then a masked tail if the
  /// row ends in this chunk on a partial vector.
  void emitChunk(Value task, Value row, Value chunk) {
    SmallVector<Value> loopValues(ranges.size());
    setRowLoopValues(row, loopValues);
    // Outer reduction loops run in order inside the task, which owns its
    // slice of the output.
    OpBuilder::InsertionGuard sequentialGuard(builder);
    for (unsigned d : sequentialDims) {
      auto loop = scf::ForOp::create(builder, loc, index(0), sizes[d], index(1));
      builder.setInsertionPoint(loop.getBody()->getTerminator());
      loopValues[d] = loop.getInductionVar();
    }
    Value start = arith::MulIOp::create(builder, loc, chunk, index(chunkLength));
    Value end = arith::MinSIOp::create(
        builder, loc, arith::AddIOp::create(builder, loc, start, index(chunkLength)),
        index(length));
    Value count = arith::SubIOp::create(builder, loc, end, start);
    Value whole = arith::MulIOp::create(
        builder, loc,
        arith::DivUIOp::create(builder, loc, count, index(lanes)), index(lanes));
    Value wholeEnd = arith::AddIOp::create(builder, loc, start, whole);
    if (reduction) {
      reduceChunk(task, loopValues, start, wholeEnd, end);
      return;
    }

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
    IRMapping mapping = computeVectors(loopValues, inBounds);
    auto yield = cast<linalg::YieldOp>(op.getRegion().front().getTerminator());
    for (auto [value, init] : llvm::zip(yield.getValues(), op.getDpsInitsMutable())) {
      Value vector = mapping.lookupOrDefault(value);
      if (!isa<VectorType>(vector.getType()))
        vector = splat(vector); // a block argument or scalar from above
      vector::TransferWriteOp::create(builder, loc, vector, init.get(),
                                      indices(init, loopValues),
                                      ArrayRef<bool>{inBounds});
    }
  }

  /// Reads the operands at `loopValues` and clones the body onto vectors
  /// (all of it but a reduction's combiner); maps body values to vectors.
  IRMapping computeVectors(ArrayRef<Value> loopValues, bool inBounds) {
    Block &body = op.getRegion().front();
    IRMapping mapping;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = body.getArgument(operand.getOperandNumber());
      if (arg.use_empty() || (reduction && op.isDpsInit(&operand)))
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
      if (reduction && &inner == reduction->op)
        continue;
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
    return mapping;
  }

  // -- reductions ---------------------------------------------------------

  TypedValue<MemRefType> output() {
    return cast<TypedValue<MemRefType>>(op.getDpsInits()[0]);
  }

  /// The value the combiner folds in, as a vector at `loopValues`.
  Value elementVector(ArrayRef<Value> loopValues, bool inBounds) {
    IRMapping mapping = computeVectors(loopValues, inBounds);
    Value element = reduction->op->getOperand(reduction->outputFirst ? 1 : 0);
    Value vector = mapping.lookupOrDefault(element);
    return isa<VectorType>(vector.getType()) ? vector : splat(vector);
  }

  /// The combiner applied to (accumulator, value), on scalars or vectors.
  Value combine(Value accumulator, Value value) {
    IRMapping mapping;
    Value output = op.getRegion().front().getArguments().back();
    Value element = reduction->op->getOperand(reduction->outputFirst ? 1 : 0);
    mapping.map(output, accumulator);
    mapping.map(element, value);
    Operation *combined = builder.clone(*reduction->op, mapping);
    combined->getResult(0).setType(value.getType());
    return combined->getResult(0);
  }

  /// Folds [start, end) of a row into a vector accumulator, reduces it to a
  /// scalar and folds that into the output (or this task's partial).
  void reduceChunk(Value task, SmallVector<Value> loopValues, Value start,
                   Value wholeEnd, Value end) {
    Type element = reduction->neutral.getType();
    VectorType type = vectorOf(element);
    Value neutral = arith::ConstantOp::create(
        builder, loc, type, SplatElementsAttr::get(type, reduction->neutral));
    auto loop = scf::ForOp::create(
        builder, loc, start, wholeEnd, index(lanes), ValueRange{neutral},
        [&](OpBuilder &nested, Location l, Value iv, ValueRange acc) {
          OpBuilder::InsertionGuard guard(builder);
          builder.setInsertionPoint(nested.getInsertionBlock(),
                                    nested.getInsertionPoint());
          loopValues[inner] = iv;
          Value next = combine(acc[0], elementVector(loopValues, true));
          scf::YieldOp::create(builder, l, next);
        });
    Value accumulator = loop.getResult(0);
    if (length % lanes != 0) {
      // Lanes past the end take the neutral element.
      Value hasTail = arith::CmpIOp::create(
          builder, loc, arith::CmpIPredicate::ult, wholeEnd, end);
      auto tail = scf::IfOp::create(
          builder, loc, TypeRange{type}, hasTail, /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(tail.thenBlock());
        loopValues[inner] = wholeEnd;
        Value mask = vector::CreateMaskOp::create(
            builder, loc, VectorType::get({lanes}, builder.getI1Type()),
            ValueRange{arith::SubIOp::create(builder, loc, end, wholeEnd)});
        Value value = arith::SelectOp::create(
            builder, loc, mask, elementVector(loopValues, false), neutral);
        scf::YieldOp::create(builder, loc, combine(accumulator, value));
        builder.setInsertionPointToStart(tail.elseBlock());
        scf::YieldOp::create(builder, loc, accumulator);
      }
      accumulator = tail.getResult(0);
    }
    auto reduced = vector::ReductionOp::create(builder, loc, reduction->kind,
                                               accumulator);
    if (auto add = dyn_cast<arith::AddFOp>(reduction->op))
      reduced.setFastmath(add.getFastmath());
    if (partials) {
      memref::StoreOp::create(builder, loc, reduced, partials, ValueRange{task});
      return;
    }
    loopValues[inner] = index(0); // the output does not depend on it
    SmallVector<Value> at = indices(op.getDpsInitsMutable()[0], loopValues);
    Value current = memref::LoadOp::create(builder, loc, output(), at);
    memref::StoreOp::create(builder, loc, combine(current, reduced), output(), at);
  }

  /// out[row] = combine(out[row], partials of the row's tasks, in order).
  void combinePartials() {
    auto rowLoop = scf::ForOp::create(builder, loc, index(0), rowCount, index(1));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(rowLoop.getBody()->getTerminator());
    SmallVector<Value> loopValues(ranges.size(), index(0));
    setRowLoopValues(rowLoop.getInductionVar(), loopValues);
    SmallVector<Value> at = indices(op.getDpsInitsMutable()[0], loopValues);
    Value first = arith::MulIOp::create(builder, loc, rowLoop.getInductionVar(),
                                        index(chunksPerRow));
    Value current = memref::LoadOp::create(builder, loc, output(), at);
    auto chunks = scf::ForOp::create(
        builder, loc, index(0), index(chunksPerRow), index(1), ValueRange{current},
        [&](OpBuilder &nested, Location l, Value c, ValueRange acc) {
          OpBuilder::InsertionGuard nestedGuard(builder);
          builder.setInsertionPoint(nested.getInsertionBlock(),
                                    nested.getInsertionPoint());
          Value partial = memref::LoadOp::create(
              builder, l, partials,
              ValueRange{arith::AddIOp::create(builder, l, first, c)});
          scf::YieldOp::create(builder, l, combine(acc[0], partial));
        });
    memref::StoreOp::create(builder, loc, chunks.getResult(0), output(), at);
  }

  linalg::GenericOp op;
  ArrayRef<Access> accesses;
  std::optional<Combiner> reduction;
  Value partials; // per task, when a reduced row spans several tasks
  int64_t lanes;
  bool parallel;
  OpBuilder builder;
  Location loc;
  SmallVector<int64_t> ranges; // static loop sizes (kDynamic where unknown)
  SmallVector<Value> sizes;    // loop sizes at run time
  unsigned inner;
  SmallVector<unsigned> taskDims;       // outer parallel loops: split into tasks
  SmallVector<unsigned> sequentialDims; // outer reduction loops: run in order
  int64_t rows;                         // kDynamic when an outer loop is
  Value rowCount;                       // rows at run time
  int64_t length, chunkLength, chunksPerRow;
  int64_t rowsPerTask = 1;
};

struct VectorizeElementwise
    : mlir::cotan::impl::VectorizeElementwiseBase<VectorizeElementwise> {
  using VectorizeElementwiseBase::VectorizeElementwiseBase;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    if (chunk <= 0)
      return errorHandler("cotan-vectorize-elementwise: chunk must be positive, got " +
                          Twine(int64_t(chunk)));
    if (parallelThreshold < 0)
      return errorHandler("cotan-vectorize-elementwise: parallel-threshold must be "
                          "0 (never) or positive, got " +
                          Twine(int64_t(parallelThreshold)));
    return success();
  }

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, ElementwiseLoop>> loops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<ElementwiseLoop> loop = matchElementwise(op))
        loops.emplace_back(op, std::move(*loop));
    });
    unsigned bits = mlir::cotan::vectorBitsOrHost(vectorBits);
    for (auto &[op, loop] : loops) {
      int64_t lanes = std::max<unsigned>(1, bits / widestElement(op));
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      // Rows shorter than half a vector waste most lanes; a dynamic row
      // length is left to LLVM.
      if (ShapedType::isDynamic(ranges.back()) || 2 * ranges.back() < lanes)
        continue;
      // A dynamic size (a symbolic batch) counts as kAssumedDynamicSize:
      // loops too small to pay for threads at that size stay sequential,
      // which also keeps their code small.
      int64_t elements = 1;
      for (int64_t range : ranges)
        elements *= ShapedType::isDynamic(range) ? kAssumedDynamicSize : range;
      if (elements == 0)
        continue;
      bool parallel = parallelThreshold > 0 && elements >= parallelThreshold;
      ElementwiseEmitter(op, loop, lanes, chunk, parallel).emit();
    }
  }
};

} // namespace
