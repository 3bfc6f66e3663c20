//===- WhileRules.cpp - derivatives and batching of cotan.while -----------===//
//
// JVP: the loop carries the tangents along with the values, and the body
// is its tangent function. There is no VJP: the trip count is unbounded,
// so there is nowhere to keep the residuals of every iteration (reverse
// mode rejects the op before asking; see verifyReversible). Batching runs
// the loop until every batch element's predicate is false; elements that
// are done keep their values.
//
//===----------------------------------------------------------------------===//

#include "DifferentiableBody.h"
#include "RegionFunctions.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

struct WhileDerivatives
    : DifferentiableOpInterface::ExternalModel<WhileDerivatives, WhileOp> {
  SmallVector<Value> jvp(Operation *op, OpBuilder &b,
                         ArrayRef<Value> tangents) const {
    auto loop = cast<WhileOp>(op);
    Location loc = loop.getLoc();
    size_t n = loop.getInit().size(), m = loop.getConsts().size();
    ScratchFunctions scratch(loc);
    func::FuncOp cond = scratch.outline(loop.getCond(), "cond");
    FailureOr<func::FuncOp> body = scratch.tangent(loop.getBody());
    if (failed(body))
      return SmallVector<Value>(op->getNumResults());

    SmallVector<Value> init = concat(
        loop.getInit(), seedsOrZeros(b, loc, loop.getInit(), tangents.take_front(n)));
    SmallVector<Value> consts = concat(
        loop.getConsts(), seedsOrZeros(b, loc, loop.getConsts(), tangents.drop_front(n)));
    auto lowered = WhileOp::create(b, loc, TypeRange(init), init, consts);
    SmallVector<Type> argTypes = llvm::to_vector(TypeRange(init));
    llvm::append_range(argTypes, TypeRange(consts));
    // Region arguments: values, tangents, consts, their tangents.
    auto split = [&](ValueRange args) {
      return std::make_tuple(args.take_front(n), args.slice(n, n),
                             args.slice(2 * n, m), args.drop_front(2 * n + m));
    };
    buildRegion(b, loc, lowered.getCond(), argTypes,
                [&](OpBuilder &nb, ValueRange args) {
                  auto [values, dvalues, cs, dcs] = split(args);
                  return inlineCall(nb, cond, concat(values, cs));
                });
    buildRegion(b, loc, lowered.getBody(), argTypes,
                [&](OpBuilder &nb, ValueRange args) {
                  auto [values, dvalues, cs, dcs] = split(args);
                  return inlineCall(nb, *body,
                                    concat(concat(values, cs), concat(dvalues, dcs)));
                });
    // The results, then their tangents: the rule replaces the op.
    return SmallVector<Value>(lowered.getResults());
  }
};

struct WhileBatching
    : BatchableOpInterface::ExternalModel<WhileBatching, WhileOp> {
  FailureOr<SmallVector<Value>> batch(Operation *op, OpBuilder &b,
                                      ValueRange operands, ArrayRef<bool> batched,
                                      BatchSize batchSize) const {
    auto loop = cast<WhileOp>(op);
    Location loc = loop.getLoc();
    size_t n = loop.getInit().size();
    // Every carried value is batched: any may differ between elements
    // once their iteration counts differ.
    SmallVector<bool> mask(batched);
    std::fill_n(mask.begin(), n, true);
    ScratchFunctions scratch(loc);
    FailureOr<func::FuncOp> cond = scratch.batched(loop.getCond(), mask, batchSize);
    FailureOr<func::FuncOp> body = scratch.batched(loop.getBody(), mask, batchSize);
    if (failed(cond) || failed(body))
      return failure();

    SmallVector<Value> init;
    for (auto [value, isBatched] :
         llvm::zip(operands.take_front(n), batched.take_front(n)))
      init.push_back(isBatched ? value : broadcastBatch(b, loc, value, batchSize));
    ValueRange consts = operands.drop_front(n);
    auto lowered = WhileOp::create(b, loc, TypeRange(init), init, consts);
    SmallVector<Type> argTypes = llvm::to_vector(TypeRange(init));
    llvm::append_range(argTypes, TypeRange(consts));
    buildRegion(b, loc, lowered.getCond(), argTypes,
                [&](OpBuilder &nb, ValueRange args) -> SmallVector<Value> {
                  Value running = inlineCall(nb, *cond, args).front();
                  return {ReduceMaxOp::create(nb, loc, running,
                                              ArrayRef<int64_t>{0})};
                });
    buildRegion(b, loc, lowered.getBody(), argTypes,
                [&](OpBuilder &nb, ValueRange args) {
                  Value running = inlineCall(nb, *cond, args).front();
                  SmallVector<Value> next = inlineCall(nb, *body, args);
                  for (size_t i = 0; i < n; ++i)
                    next[i] = selectPerElement(nb, loc, running, next[i], args[i]);
                  return next;
                });
    return SmallVector<Value>(lowered.getResults());
  }
};

} // namespace

void mlir::cotan::attachWhileRules(MLIRContext *context) {
  WhileOp::attachInterface<WhileDerivatives, WhileBatching>(*context);
}
