//===- ReverseMode.cpp - adjoint functions from the ops' VJP rules --------===//
//
// The adjoint of f(x...) -> (y...) is f_vjp(x..., ct_y...) -> (y..., ct_x...):
// the forward sweep is f's body cloned (its values are the residuals the
// backward sweep reads), then ops are visited in reverse and each one's VJP
// rule turns its results' cotangents into its operands' cotangents. A value
// used several times receives the sum of its cotangents. Only float values
// carry cotangents; gradients of integer and boolean inputs are zeros.
//
//===----------------------------------------------------------------------===//

#include "BackwardLocation.h"
#include "DifferentiableBody.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

FailureOr<func::FuncOp> mlir::cotan::createDerivedFunction(
    func::FuncOp function, StringRef transformed, StringRef name,
    TypeRange inputs, TypeRange results, SymbolTable &symbols,
    OpBuilder &builder) {
  if (!function.getBody().hasOneBlock())
    return function.emitOpError("can only be ")
           << transformed << " with a single block";
  auto derived = func::FuncOp::create(
      builder, function.getLoc(), name,
      FunctionType::get(function.getContext(), inputs, results));
  derived.setPrivate();
  symbols.insert(derived);
  builder.setInsertionPointToStart(derived.addEntryBlock());
  return derived;
}

/// Clones the body of `function` into `entry` (arguments mapped to the
/// first block arguments), checking every op has derivative rules.
static FailureOr<SmallVector<Operation *>>
cloneBody(func::FuncOp function, Block *entry, OpBuilder &b, IRMapping &map) {
  Block &body = function.front();
  for (auto [from, to] : llvm::zip(body.getArguments(), entry->getArguments()))
    map.map(from, to);
  SmallVector<Operation *> cloned;
  for (Operation &op : body.without_terminator()) {
    if (failed(verifyReversible(op)))
      return failure();
    cloned.push_back(b.clone(op, map));
  }
  return cloned;
}

FailureOr<func::FuncOp> mlir::cotan::buildAdjointFunction(func::FuncOp function,
                                                          StringRef name,
                                                          SymbolTable &symbols) {
  FunctionType type = function.getFunctionType();
  SmallVector<Type> inputs(type.getInputs()), results(type.getResults());
  llvm::append_range(inputs, type.getResults());
  llvm::append_range(results, type.getInputs());
  Location loc = function.getLoc();
  OpBuilder b(function.getContext());
  FailureOr<func::FuncOp> derived = createDerivedFunction(
      function, "differentiated", name, inputs, results, symbols, b);
  if (failed(derived))
    return failure();
  func::FuncOp adjoint = *derived;
  Block *entry = &adjoint.front();

  IRMapping map;
  FailureOr<SmallVector<Operation *>> forward = cloneBody(function, entry, b, map);
  if (failed(forward)) {
    symbols.erase(adjoint);
    return failure();
  }

  DenseMap<Value, Value> cotangent;
  auto accumulate = [&](Value value, Value ct) {
    if (!ct || !carriesDerivative(value.getType()))
      return;
    Value &slot = cotangent[value];
    slot = slot ? Value(AddOp::create(b, ct.getLoc(), slot, ct)) : ct;
  };
  auto ret = cast<func::ReturnOp>(function.front().getTerminator());
  unsigned numInputs = type.getNumInputs();
  for (auto [i, value] : llvm::enumerate(ret.getOperands()))
    accumulate(map.lookup(value), entry->getArgument(numInputs + i));
  // Returned first, so that a rule replacing a forward op (a scan that
  // stacks its residuals) also updates the results.
  auto adjointReturn = func::ReturnOp::create(
      b, ret.getLoc(), llvm::map_to_vector(ret.getOperands(), [&](Value v) {
        return map.lookup(v);
      }));
  b.setInsertionPoint(adjointReturn);
  DenseSet<Operation *> beforeBackward;
  for (Operation &op : *entry)
    beforeBackward.insert(&op);

  for (Operation *op : llvm::reverse(*forward)) {
    SmallVector<Value> cts = llvm::map_to_vector(
        op->getResults(), [&](Value r) { return cotangent.lookup(r); });
    if (llvm::all_of(cts, [](Value v) { return !v; }))
      continue;
    SmallVector<Value> grads = cast<DifferentiableOpInterface>(op).vjp(b, cts);
    for (auto [operand, grad] : llvm::zip(op->getOperands(), grads))
      accumulate(operand, grad);
  }

  for (Operation &op : *entry)
    if (!beforeBackward.contains(&op))
      markBackward(&op);

  SmallVector<Value> returned(adjointReturn.getOperands());
  for (BlockArgument arg : entry->getArguments().take_front(numInputs)) {
    Value grad = cotangent.lookup(arg);
    returned.push_back(grad ? grad : zerosLike(b, loc, arg));
  }
  adjointReturn->setOperands(returned);
  return adjoint;
}
