//===- ScanRules.cpp - derivatives and batching of cotan.scan -------------===//
//
// JVP: the scan carries tangents along with the values and stacks the
// outputs' tangents; its body is the body's tangent function.
//
// VJP: the forward scan is replaced by one that also stacks the carry each
// step starts from (the residuals); the backward pass is a scan in the
// opposite direction over those carries, the scanned inputs and the
// outputs' cotangents. Its body is the body's adjoint, which recomputes
// the step's forward values from the saved carry, so memory grows with
// the carry, not with the step's intermediates. It carries the carry's
// cotangent and sums the cotangents of the loop invariants.
//
// Batching: every carry is batched; batched scanned inputs and stacked
// outputs move the batch dimension behind the scanned one and back.
//
//===----------------------------------------------------------------------===//

#include "DifferentiableBody.h"
#include "RegionFunctions.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

SmallVector<Type> typesOf(ValueRange values) {
  return SmallVector<Type>(TypeRange(values));
}

/// Indices of the values that carry derivatives (float values).
SmallVector<size_t> differentiable(ValueRange values) {
  SmallVector<size_t> out;
  for (auto [i, v] : llvm::enumerate(values))
    if (carriesDerivative(v.getType()))
      out.push_back(i);
  return out;
}

struct ScanDerivatives
    : DifferentiableOpInterface::ExternalModel<ScanDerivatives, ScanOp> {
  SmallVector<Value> jvp(Operation *op, OpBuilder &b,
                         ArrayRef<Value> tangents) const {
    auto scan = cast<ScanOp>(op);
    Location loc = scan.getLoc();
    size_t n = scan.getInit().size(), p = scan.getXs().size();
    size_t numStacked = scan.getStackedResults().size();
    ScratchFunctions scratch(loc);
    FailureOr<func::FuncOp> body = scratch.tangent(scan.getBody());
    if (failed(body))
      return SmallVector<Value>(op->getNumResults());

    SmallVector<Value> seeds = seedsOrZeros(b, loc, op->getOperands(), tangents);
    ArrayRef<Value> dinit = ArrayRef(seeds).take_front(n);
    ArrayRef<Value> dxs = ArrayRef(seeds).slice(n, p);
    ArrayRef<Value> dconsts = ArrayRef(seeds).drop_front(n + p);
    SmallVector<Value> init = concat(scan.getInit(), dinit);
    SmallVector<Value> xs = concat(scan.getXs(), dxs);
    SmallVector<Value> consts = concat(scan.getConsts(), dconsts);
    SmallVector<Type> results = typesOf(scan.getCarryResults());
    llvm::append_range(results, typesOf(scan.getCarryResults()));
    llvm::append_range(results, typesOf(scan.getStackedResults()));
    llvm::append_range(results, typesOf(scan.getStackedResults()));
    auto lowered = ScanOp::create(b, loc, results, scan.getLength(),
                                  scan.getReverse(), init, xs, consts);
    // Each group of the body's arguments (carry, xs, consts) twice: the
    // values, then their tangents.
    ValueRange original = scan.getBody().front().getArguments();
    SmallVector<Type> argTypes;
    for (ValueRange group :
         {original.take_front(n), original.slice(n, p), original.drop_front(n + p)}) {
      llvm::append_range(argTypes, typesOf(group));
      llvm::append_range(argTypes, typesOf(group));
    }
    // Region arguments: carry, its tangent, xs, their tangents, consts,
    // their tangents. The tangent function takes the primals first.
    buildRegion(b, loc, lowered.getBody(), argTypes,
                [&](OpBuilder &nb, ValueRange args) {
                  ValueRange carry = args.take_front(n), dcarry = args.slice(n, n);
                  ValueRange x = args.slice(2 * n, p), dx = args.slice(2 * n + p, p);
                  size_t q = scan.getConsts().size();
                  ValueRange c = args.slice(2 * n + 2 * p, q);
                  ValueRange dc = args.drop_front(2 * n + 2 * p + q);
                  SmallVector<Value> outs = inlineCall(
                      nb, *body,
                      concat(concat(concat(carry, x), concat(c, dcarry)),
                             concat(dx, dc)));
                  // (carry', ys, dcarry', dys) -> (carry', dcarry', ys, dys)
                  ValueRange o(outs);
                  return concat(concat(o.take_front(n), o.slice(n + numStacked, n)),
                                concat(o.slice(n, numStacked),
                                       o.drop_front(2 * n + numStacked)));
                });
    // The results, then their tangents: the rule replaces the op.
    ValueRange r = lowered.getResults();
    return concat(concat(r.take_front(n), r.slice(2 * n, numStacked)),
                  concat(r.slice(n, n), r.drop_front(2 * n + numStacked)));
  }

  SmallVector<Value> vjp(Operation *op, OpBuilder &b,
                         ArrayRef<Value> cotangents) const {
    auto scan = cast<ScanOp>(op);
    Location loc = scan.getLoc();
    int64_t length = scan.getLength();
    size_t n = scan.getInit().size(), p = scan.getXs().size();
    size_t q = scan.getConsts().size();
    size_t numStacked = scan.getStackedResults().size();
    ScratchFunctions scratch(loc);
    FailureOr<func::FuncOp> adjoint = scratch.adjoint(scan.getBody());
    if (failed(adjoint))
      return SmallVector<Value>(op->getNumOperands());

    ValueRange stackedCarries = stackCarries(scan);
    SmallVector<size_t> floatCarry = differentiable(scan.getInit());
    SmallVector<size_t> floatConsts = differentiable(scan.getConsts());
    SmallVector<Value> seeds = seedsOrZeros(b, loc, scan.getResults(), cotangents);

    SmallVector<Value> init;
    for (size_t i : floatCarry)
      init.push_back(seeds[i]);
    for (size_t j : floatConsts)
      init.push_back(zerosLike(b, loc, scan.getConsts()[j]));
    SmallVector<Value> xs = concat(stackedCarries, scan.getXs());
    llvm::append_range(xs, ArrayRef(seeds).drop_front(n));
    SmallVector<Type> results = typesOf(init);
    llvm::append_range(results, typesOf(scan.getXs()));
    auto backward = ScanOp::create(b, loc, results, length, !scan.getReverse(),
                                   init, xs, scan.getConsts());

    Block &original = scan.getBody().front();
    SmallVector<Type> argTypes = typesOf(init);
    llvm::append_range(argTypes, typesOf(original.getArguments().take_front(n + p)));
    for (Value y : scan.getStackedResults())
      argTypes.push_back(RankedTensorType::get(
          cast<RankedTensorType>(y.getType()).getShape().drop_front(),
          cast<RankedTensorType>(y.getType()).getElementType()));
    llvm::append_range(argTypes, typesOf(scan.getConsts()));
    size_t numAcc = floatCarry.size() + floatConsts.size();
    buildRegion(
        b, loc, backward.getBody(), argTypes,
        [&](OpBuilder &nb, ValueRange args) {
          ValueRange dcarry = args.take_front(floatCarry.size());
          ValueRange dconstsSum = args.slice(floatCarry.size(), floatConsts.size());
          ValueRange carry = args.slice(numAcc, n), x = args.slice(numAcc + n, p);
          ValueRange dys = args.slice(numAcc + n + p, numStacked);
          ValueRange consts = args.drop_front(numAcc + n + p + numStacked);
          SmallVector<Value> dcarryAll;
          for (size_t i = 0, k = 0; i < n; ++i)
            dcarryAll.push_back(k < floatCarry.size() && floatCarry[k] == i
                                    ? dcarry[k++]
                                    : zerosLike(nb, loc, carry[i]));
          SmallVector<Value> outs = inlineCall(
              nb, *adjoint,
              concat(concat(concat(carry, x), concat(consts, dcarryAll)), dys));
          // (carry', ys, dcarry, dxs, dconsts)
          ValueRange grads = ValueRange(outs).drop_front(n + numStacked);
          SmallVector<Value> next;
          for (size_t i : floatCarry)
            next.push_back(grads[i]);
          for (auto [k, j] : llvm::enumerate(floatConsts))
            next.push_back(AddOp::create(nb, loc, dconstsSum[k], grads[n + p + j]));
          llvm::append_range(next, grads.slice(n, p));
          return next;
        });

    SmallVector<Value> grads(op->getNumOperands());
    for (auto [k, i] : llvm::enumerate(floatCarry))
      grads[i] = backward.getResult(k);
    for (auto [k, j] : llvm::enumerate(floatConsts))
      grads[n + p + j] = backward.getResult(floatCarry.size() + k);
    for (size_t i = 0; i < p; ++i)
      if (carriesDerivative(scan.getXs()[i].getType()))
        grads[n + i] = backward.getResult(numAcc + i);
    return grads;
  }

  /// Replaces `scan` (in the forward sweep) by a scan that also stacks the
  /// carry each step starts from; returns those stacked carries. The old
  /// op is left without uses for canonicalization to remove.
  static ValueRange stackCarries(ScanOp scan) {
    OpBuilder b(scan);
    b.setInsertionPointAfter(scan);
    size_t n = scan.getInit().size();
    SmallVector<Type> results = typesOf(scan.getResults());
    for (Value carry : scan.getInit())
      results.push_back(batchedType(carry.getType(), scan.getLength()));
    auto forward = ScanOp::create(b, scan.getLoc(), results, scan.getLength(),
                                  scan.getReverse(), scan.getInit(), scan.getXs(),
                                  scan.getConsts());
    IRMapping map;
    scan.getBody().cloneInto(&forward.getBody(), map);
    Block &body = forward.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    yield.getValuesMutable().append(body.getArguments().take_front(n));
    scan->replaceAllUsesWith(
        forward.getResults().take_front(scan.getNumResults()));
    return forward.getResults().drop_front(scan.getNumResults());
  }
};

struct ScanBatching : BatchableOpInterface::ExternalModel<ScanBatching, ScanOp> {
  FailureOr<SmallVector<Value>> batch(Operation *op, OpBuilder &b,
                                      ValueRange operands, ArrayRef<bool> batched,
                                      BatchSize batchSize) const {
    auto scan = cast<ScanOp>(op);
    Location loc = scan.getLoc();
    size_t n = scan.getInit().size(), p = scan.getXs().size();
    SmallVector<bool> mask(batched);
    std::fill_n(mask.begin(), n, true);
    ScratchFunctions scratch(loc);
    FailureOr<func::FuncOp> body = scratch.batched(scan.getBody(), mask, batchSize);
    if (failed(body))
      return failure();

    SmallVector<Value> init, xs;
    for (auto [value, isBatched] :
         llvm::zip(operands.take_front(n), batched.take_front(n)))
      init.push_back(isBatched ? value : broadcastBatch(b, loc, value, batchSize));
    for (auto [value, isBatched] :
         llvm::zip(operands.slice(n, p), batched.slice(n, p)))
      xs.push_back(isBatched ? swapLeadingDims(b, loc, value) : value);
    ValueRange consts = operands.drop_front(n + p);

    SmallVector<Type> results = typesOf(init);
    for (Value y : scan.getStackedResults()) {
      auto type = cast<RankedTensorType>(y.getType());
      SmallVector<int64_t> shape = {type.getDimSize(0), batchSize};
      llvm::append_range(shape, type.getShape().drop_front());
      results.push_back(RankedTensorType::get(shape, type.getElementType()));
    }
    auto lowered = ScanOp::create(b, loc, results, scan.getLength(),
                                  scan.getReverse(), init, xs, consts);
    SmallVector<Type> argTypes =
        llvm::to_vector(body->getFunctionType().getInputs());
    buildRegion(b, loc, lowered.getBody(), argTypes,
                [&](OpBuilder &nb, ValueRange args) {
                  return inlineCall(nb, *body, args);
                });
    SmallVector<Value> out(lowered.getResults().take_front(n));
    for (Value y : lowered.getResults().drop_front(n))
      out.push_back(swapLeadingDims(b, loc, y));
    return out;
  }
};

} // namespace

void mlir::cotan::attachScanRules(MLIRContext *context) {
  ScanOp::attachInterface<ScanDerivatives, ScanBatching>(*context);
}
