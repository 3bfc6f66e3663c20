//===- ControlFlowToScf.cpp - cotan control flow to scf -------------------===//
//
// cotan.switch becomes a chain of scf.if, cotan.while scf.while and
// cotan.scan an scf.for whose iteration arguments are the carry and the
// stacked outputs (filled one slice per step with tensor.insert_slice, so
// bufferization writes them in place). Regions move into the scf ops with
// their block arguments replaced by the values they stand for; the ops
// inside are lowered by the other patterns of the same conversion.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// Moves the single block of `region` (with converted argument types) to the
/// end of `dest`, its arguments replaced by `values`.
LogicalResult moveRegionInto(ConversionPatternRewriter &rewriter,
                             const TypeConverter &converter, Region &region,
                             Block *dest, ValueRange values) {
  FailureOr<Block *> block = rewriter.convertRegionTypes(&region, converter);
  if (failed(block))
    return failure();
  rewriter.mergeBlocks(*block, dest, values);
  return success();
}

/// The lowered types of `op`'s results.
FailureOr<SmallVector<Type>> loweredResultTypes(const TypeConverter &converter,
                                                Operation *op) {
  SmallVector<Type> types;
  if (failed(converter.convertTypes(op->getResultTypes(), types)))
    return failure();
  return types;
}

SmallVector<Value> concat(ValueRange a, ValueRange b) {
  SmallVector<Value> out(a);
  llvm::append_range(out, b);
  return out;
}

/// A chain of scf.if: branch 0 where index <= 0, branch k where index == k,
/// the last branch otherwise (JAX's clamping). One-shot bufferization
/// tracks the aliasing of scf.if results precisely, which it does not for
/// scf.index_switch.
struct SwitchToIfChain : OpConversionPattern<SwitchOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SwitchOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<Type>> resultTypes =
        loweredResultTypes(*getTypeConverter(), op);
    if (failed(resultTypes))
      return failure();
    auto branches = op.getBranches();
    auto moveBranch = [&](Region &branch, Region &into) {
      Block *block = rewriter.createBlock(&into);
      return moveRegionInto(rewriter, *getTypeConverter(), branch, block,
                            adaptor.getInputs());
    };
    if (branches.size() == 1) {
      auto only = scf::ExecuteRegionOp::create(rewriter, loc, *resultTypes);
      if (failed(moveBranch(branches.front(), only.getRegion())))
        return failure();
      rewriter.replaceOp(op, only.getResults());
      return success();
    }
    Value index = tensor::ExtractOp::create(rewriter, loc, adaptor.getIndex(),
                                            ValueRange{});
    scf::IfOp outermost;
    for (unsigned k = 0; k + 1 < branches.size(); ++k) {
      Value constant = arith::ConstantIntOp::create(rewriter, loc, k, 32);
      Value chosen = arith::CmpIOp::create(
          rewriter, loc,
          k == 0 ? arith::CmpIPredicate::sle : arith::CmpIPredicate::eq, index,
          constant);
      auto branch = scf::IfOp::create(rewriter, loc, *resultTypes, chosen,
                                      /*addThenBlock=*/false,
                                      /*addElseBlock=*/false);
      if (k == 0)
        outermost = branch;
      else // Inside the previous else region.
        scf::YieldOp::create(rewriter, loc, branch.getResults());
      if (failed(moveBranch(branches[k], branch.getThenRegion())))
        return failure();
      if (k + 2 == branches.size()) {
        if (failed(moveBranch(branches[k + 1], branch.getElseRegion())))
          return failure();
      } else {
        rewriter.createBlock(&branch.getElseRegion());
      }
    }
    rewriter.replaceOp(op, outermost.getResults());
    return success();
  }
};

struct WhileToScfWhile : OpConversionPattern<WhileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(WhileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<Type>> carryTypes =
        loweredResultTypes(*getTypeConverter(), op);
    if (failed(carryTypes))
      return failure();
    auto lowered =
        scf::WhileOp::create(rewriter, loc, *carryTypes, adaptor.getInit());
    SmallVector<Location> locs(carryTypes->size(), loc);
    std::pair<Region *, Region *> regions[] = {
        {&op.getCond(), &lowered.getBefore()},
        {&op.getBody(), &lowered.getAfter()}};
    for (auto [from, to] : regions) {
      Block *block = rewriter.createBlock(to, {}, *carryTypes, locs);
      if (failed(moveRegionInto(rewriter, *getTypeConverter(), *from, block,
                                concat(block->getArguments(),
                                       adaptor.getConsts()))))
        return failure();
    }
    rewriter.replaceOp(op, lowered.getResults());
    return success();
  }
};

/// Step i reads slice `pos` of every scanned operand and writes slice `pos`
/// of every stacked output, pos = i (or length - 1 - i in reverse). The body
/// runs in an scf.execute_region (inlined by canonicalization) so its
/// yield lowers like any other. A stacked output with dynamic (`?`)
/// dimensions has the sizes of the values the body yields, known only once
/// it has run: the first step is then peeled off the loop, and the stacked
/// buffers are allocated after it.
struct ScanToScfFor : OpConversionPattern<ScanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<Type>> resultTypes =
        loweredResultTypes(*getTypeConverter(), op);
    if (failed(resultTypes))
      return failure();
    size_t numCarry = adaptor.getInit().size();
    ArrayRef<Type> carryTypes = ArrayRef<Type>(*resultTypes).take_front(numCarry);
    ArrayRef<Type> stackedTypes = ArrayRef<Type>(*resultTypes).drop_front(numCarry);
    SmallVector<Type> stepTypes(carryTypes);
    bool peel = false;
    for (Type type : stackedTypes) {
      auto tensor = cast<RankedTensorType>(type);
      peel |= !tensor.hasStaticShape();
      stepTypes.push_back(RankedTensorType::get(tensor.getShape().drop_front(),
                                                tensor.getElementType()));
    }
    int64_t length = op.getLength();
    if (peel && length == 0)
      return op.emitOpError("of length 0 cannot stack outputs with dynamic "
                            "dimensions: their sizes come from the body");
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(rewriter, loc, value);
    };
    // Offsets, sizes and strides of slice `pos` of `whole` along dimension 0.
    auto sliceAt = [&](Value whole, Value pos) {
      int64_t rank = cast<RankedTensorType>(whole.getType()).getRank();
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, whole);
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      offsets[0] = pos;
      sizes[0] = rewriter.getIndexAttr(1);
      return std::make_tuple(offsets, sizes, strides);
    };
    // One step at `pos` from `carry`: the body, moved (or, for a peeled
    // step, cloned) into an scf.execute_region.
    auto runStep = [&](Value pos, ValueRange carry,
                       bool clone) -> FailureOr<scf::ExecuteRegionOp> {
      SmallVector<Value> stepArgs(carry);
      for (Value x : adaptor.getXs()) {
        auto whole = cast<RankedTensorType>(x.getType());
        auto [offsets, sizes, strides] = sliceAt(x, pos);
        auto slice = RankedTensorType::get(whole.getShape().drop_front(),
                                           whole.getElementType());
        stepArgs.push_back(tensor::ExtractSliceOp::create(
            rewriter, loc, slice, x, offsets, sizes, strides));
      }
      llvm::append_range(stepArgs, adaptor.getConsts());
      auto step = scf::ExecuteRegionOp::create(rewriter, loc, stepTypes);
      Region &region = step.getRegion();
      if (clone) {
        rewriter.cloneRegionBefore(op.getBody(), region, region.end());
        FailureOr<Block *> body =
            rewriter.convertRegionTypes(&region, *getTypeConverter());
        if (failed(body))
          return failure();
        Block *entry = rewriter.createBlock(&region, region.begin());
        rewriter.mergeBlocks(*body, entry, stepArgs);
      } else if (failed(moveRegionInto(rewriter, *getTypeConverter(),
                                       op.getBody(), rewriter.createBlock(&region),
                                       stepArgs))) {
        return failure();
      }
      rewriter.setInsertionPointAfter(step);
      return step;
    };
    // The loop runs steps i in [first, length); pos is i, or length-1-i.
    auto position = [&](Value i) -> Value {
      if (!op.getReverse())
        return i;
      return arith::SubIOp::create(rewriter, loc, index(length - 1), i);
    };

    SmallVector<Value> carry(adaptor.getInit()), stacked;
    int64_t first = 0;
    if (peel) {
      Value pos = position(index(0));
      FailureOr<scf::ExecuteRegionOp> step = runStep(pos, carry, /*clone=*/true);
      if (failed(step))
        return failure();
      carry.assign(step->getResults().begin(),
                   step->getResults().begin() + numCarry);
      for (auto [type, y] : llvm::zip(stackedTypes,
                                      step->getResults().drop_front(numCarry))) {
        // The leading dimension (the length) is static: the stacked
        // type's `?` sizes are those of the slice y, in order.
        Value whole = emptyTensor(
            rewriter, loc, cast<RankedTensorType>(type),
            dynamicSizesOf(rewriter, loc, cast<RankedTensorType>(y.getType()), y));
        auto [offsets, sliceSizes, strides] = sliceAt(whole, pos);
        stacked.push_back(tensor::InsertSliceOp::create(
            rewriter, loc, y, whole, offsets, sliceSizes, strides));
      }
      first = 1;
    } else {
      for (Type type : stackedTypes)
        stacked.push_back(emptyTensor(rewriter, loc, cast<RankedTensorType>(type)));
    }

    auto loop = scf::ForOp::create(rewriter, loc, index(first), index(length),
                                   index(1), concat(carry, stacked));
    rewriter.setInsertionPointToStart(loop.getBody());
    Value pos = position(loop.getInductionVar());
    FailureOr<scf::ExecuteRegionOp> step = runStep(
        pos, loop.getRegionIterArgs().take_front(numCarry), /*clone=*/false);
    if (failed(step))
      return failure();
    SmallVector<Value> next(step->getResults().take_front(numCarry));
    for (auto [slice, whole] :
         llvm::zip(step->getResults().drop_front(numCarry),
                   loop.getRegionIterArgs().drop_front(numCarry))) {
      auto [offsets, sizes, strides] = sliceAt(whole, pos);
      next.push_back(tensor::InsertSliceOp::create(rewriter, loc, slice, whole,
                                                   offsets, sizes, strides));
    }
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

/// cotan.yield inside the scf op it was moved into: the condition of an
/// scf.while (forwarding the carried values), or an scf.yield.
struct YieldToScf : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *parent = op->getParentOp();
    if (isa<SwitchOp, WhileOp, ScanOp>(parent))
      return failure(); // Not moved yet.
    auto loop = dyn_cast<scf::WhileOp>(parent);
    if (loop && op->getParentRegion() == &loop.getBefore()) {
      Location loc = op.getLoc();
      Value stored = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getValues().front(), ValueRange{});
      Value pred = toLogical(rewriter, loc, stored, rewriter.getI1Type());
      rewriter.replaceOpWithNewOp<scf::ConditionOp>(
          op, pred, loop.getBeforeBody()->getArguments());
      return success();
    }
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, adaptor.getValues());
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanControlFlowToScfPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<SwitchToIfChain, WhileToScfWhile, ScanToScfFor, YieldToScf>(
      converter, patterns.getContext());
}
