//===- SwitchRules.cpp - derivatives and batching of cotan.switch ---------===//
//
// JVP: a switch over the tangent functions of the branches (the index has
// no tangent). VJP: a switch over their adjoints, which recompute the
// chosen branch's forward values. Batching with an unbatched index keeps
// the switch over batched branches; a batched index runs every branch and
// selects per batch element, as JAX does.
//
//===----------------------------------------------------------------------===//

#include "DifferentiableBody.h"
#include "RegionFunctions.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// A switch on `index` over `inputs` whose branch k calls `functions[k]`.
SwitchOp switchOver(OpBuilder &b, Location loc, Value index, ValueRange inputs,
                    ArrayRef<func::FuncOp> functions) {
  func::FuncOp first = functions.front();
  auto results = first.getFunctionType().getResults();
  auto op = SwitchOp::create(b, loc, results, index, inputs, functions.size());
  for (auto [function, region] : llvm::zip(functions, op.getBranches()))
    buildRegion(b, loc, region, TypeRange(inputs),
                [&, function = function](OpBuilder &nb, ValueRange args) {
                  return inlineCall(nb, func::FuncOp(function), args);
                });
  return op;
}

struct SwitchDerivatives
    : DifferentiableOpInterface::ExternalModel<SwitchDerivatives, SwitchOp> {
  SmallVector<Value> jvp(Operation *op, OpBuilder &b,
                         ArrayRef<Value> tangents) const {
    auto sw = cast<SwitchOp>(op);
    Location loc = sw.getLoc();
    ScratchFunctions scratch(loc);
    SmallVector<func::FuncOp> functions;
    for (Region &branch : sw.getBranches()) {
      FailureOr<func::FuncOp> tangent = scratch.tangent(branch);
      if (failed(tangent))
        return SmallVector<Value>(op->getNumResults());
      functions.push_back(*tangent);
    }
    SmallVector<Value> inputs = concat(
        sw.getInputs(), seedsOrZeros(b, loc, sw.getInputs(), tangents.drop_front()));
    // The results, then their tangents: the rule replaces the op.
    return switchOver(b, loc, sw.getIndex(), inputs, functions)->getResults();
  }

  SmallVector<Value> vjp(Operation *op, OpBuilder &b,
                         ArrayRef<Value> cotangents) const {
    auto sw = cast<SwitchOp>(op);
    Location loc = sw.getLoc();
    ScratchFunctions scratch(loc);
    SmallVector<func::FuncOp> functions;
    for (Region &branch : sw.getBranches()) {
      FailureOr<func::FuncOp> adjoint = scratch.adjoint(branch);
      if (failed(adjoint))
        return SmallVector<Value>(op->getNumOperands());
      functions.push_back(*adjoint);
    }
    SmallVector<Value> inputs = concat(
        sw.getInputs(), seedsOrZeros(b, loc, sw.getResults(), cotangents));
    SwitchOp adjoint = switchOver(b, loc, sw.getIndex(), inputs, functions);
    SmallVector<Value> grads = {Value()}; // The index has none.
    llvm::append_range(grads, adjoint.getResults().drop_front(sw.getNumResults()));
    return grads;
  }
};

/// Branch k where the batched index is k (at most 0 for the first branch,
/// at least n - 1 for the last), branch by branch.
Value selectBranch(OpBuilder &b, Location loc, Value index,
                   ArrayRef<Value> perBranch) {
  Value chosen = perBranch.back();
  for (int64_t k = perBranch.size() - 2; k >= 0; --k) {
    Value constant = splatLike(b, loc, index, double(k));
    Value pred = CompareOp::create(
        b, loc, k == 0 ? ComparisonDirection::LE : ComparisonDirection::EQ,
        index, constant);
    chosen = selectPerElement(b, loc, pred, perBranch[k], chosen);
  }
  return chosen;
}

struct SwitchBatching
    : BatchableOpInterface::ExternalModel<SwitchBatching, SwitchOp> {
  FailureOr<SmallVector<Value>> batch(Operation *op, OpBuilder &b,
                                      ValueRange operands, ArrayRef<bool> batched,
                                      BatchSize batchSize) const {
    auto sw = cast<SwitchOp>(op);
    Location loc = sw.getLoc();
    ScratchFunctions scratch(loc);
    SmallVector<func::FuncOp> functions;
    for (Region &branch : sw.getBranches()) {
      FailureOr<func::FuncOp> fn =
          scratch.batched(branch, batched.drop_front(), batchSize);
      if (failed(fn))
        return failure();
      functions.push_back(*fn);
    }
    ValueRange inputs = operands.drop_front();
    if (!batched.front())
      return SmallVector<Value>(
          switchOver(b, loc, operands.front(), inputs, functions)->getResults());
    SmallVector<SmallVector<Value>> perBranch;
    for (func::FuncOp function : functions)
      perBranch.push_back(inlineCall(b, function, inputs));
    SmallVector<Value> results;
    for (unsigned i = 0; i < sw.getNumResults(); ++i)
      results.push_back(selectBranch(
          b, loc, operands.front(),
          llvm::map_to_vector(perBranch, [&](auto &outs) { return outs[i]; })));
    return results;
  }
};

} // namespace

void mlir::cotan::attachSwitchRules(MLIRContext *context) {
  SwitchOp::attachInterface<SwitchDerivatives, SwitchBatching>(*context);
}
