//===- ForwardMode.cpp - tangent functions from the ops' JVP rules --------===//
//
// The tangent function of f(x...) -> (y...) is
// f_jvp(x..., t_x...) -> (y..., t_y...): each op of f is cloned and followed
// by its JVP rule applied to its operands' tangents. Only float values carry
// tangents; the tangents given for integer and boolean inputs are ignored.
// A rule may instead return the op's results recomputed along with their
// tangents (a loop carrying both), which then replace the cloned op.
//
//===----------------------------------------------------------------------===//

#include "DifferentiableBody.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

FailureOr<func::FuncOp> mlir::cotan::buildTangentFunction(func::FuncOp function,
                                                          StringRef name,
                                                          SymbolTable &symbols) {
  FunctionType type = function.getFunctionType();
  SmallVector<Type> inputs(type.getInputs()), results(type.getResults());
  llvm::append_range(inputs, type.getInputs());
  llvm::append_range(results, type.getResults());
  Location loc = function.getLoc();
  OpBuilder b(function.getContext());
  FailureOr<func::FuncOp> derived = createDerivedFunction(
      function, "differentiated", name, inputs, results, symbols, b);
  if (failed(derived))
    return failure();
  func::FuncOp tangentFn = *derived;
  Block *entry = &tangentFn.front();

  Block &body = function.front();
  unsigned numInputs = type.getNumInputs();
  IRMapping map;
  DenseMap<Value, Value> tangent;
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    map.map(arg, entry->getArgument(i));
    if (carriesDerivative(arg.getType()))
      tangent[entry->getArgument(i)] = entry->getArgument(numInputs + i);
  }
  for (Operation &original : body.without_terminator()) {
    if (failed(verifyDifferentiable(original))) {
      symbols.erase(tangentFn);
      return failure();
    }
    Operation *op = b.clone(original, map);
    SmallVector<Value> tangents = llvm::map_to_vector(
        op->getOperands(), [&](Value v) { return tangent.lookup(v); });
    if (llvm::all_of(tangents, [](Value v) { return !v; }) ||
        isShapeComputation(op))
      continue;
    SmallVector<Value> out = cast<DifferentiableOpInterface>(op).jvp(b, tangents);
    unsigned numResults = op->getNumResults();
    if (numResults > 0 && out.size() == 2 * numResults) {
      // The rule recomputed the op with its tangents (control flow does):
      // its first values replace the op's results.
      for (auto [from, to] : llvm::zip(original.getResults(), out))
        map.map(from, to);
      op->erase();
      out.erase(out.begin(), out.begin() + numResults);
    }
    for (auto [i, t] : llvm::enumerate(out)) {
      Value result = map.lookup(original.getResult(i));
      if (t && carriesDerivative(result.getType()))
        tangent[result] = t;
    }
  }

  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Value> returned = llvm::map_to_vector(
      ret.getOperands(), [&](Value v) { return map.lookup(v); });
  for (Value value : ret.getOperands()) {
    Value mapped = map.lookup(value);
    Value t = tangent.lookup(mapped);
    returned.push_back(t ? t : zerosLike(b, loc, mapped));
  }
  func::ReturnOp::create(b, ret.getLoc(), returned);
  return tangentFn;
}
