//===- RequestOps.cpp - differentiation requests and custom rules ---------===//
//
// cotan.vjp/cotan.jvp request derivatives of a func.func; cotan.custom_vjp
// and cotan.custom_jvp call one whose derivative rule is user-supplied.
// Verifiers check the types against the named functions' signatures.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {
/// Checks that `op` calls `callee` on `primals`, passes `seeds` of the types
/// `seedTypes`, and returns the callee's results followed by `extraTypes`.
LogicalResult verifyRequest(Operation *op, SymbolTableCollection &symbols,
                            FlatSymbolRefAttr calleeAttr, ValueRange primals,
                            ValueRange seeds, bool seedsMatchResults) {
  auto callee = symbols.lookupNearestSymbolFrom<func::FuncOp>(op, calleeAttr);
  if (!callee)
    return op->emitOpError("(request_c1) '")
           << calleeAttr.getValue() << "' does not name a func.func";
  FunctionType type = callee.getFunctionType();
  if (TypeRange(primals.getTypes()) != type.getInputs())
    return op->emitOpError("(request_c2) primal types ")
           << primals.getTypes() << " do not match the inputs of '"
           << calleeAttr.getValue() << "': " << type.getInputs();
  TypeRange expectedSeeds = seedsMatchResults ? type.getResults() : type.getInputs();
  if (TypeRange(seeds.getTypes()) != expectedSeeds)
    return op->emitOpError("(request_c3) ")
           << (seedsMatchResults ? "cotangent" : "tangent") << " types "
           << seeds.getTypes() << " must match the callee's "
           << (seedsMatchResults ? "results" : "inputs") << ": " << expectedSeeds;
  SmallVector<Type> results(type.getResults());
  llvm::append_range(results, seedsMatchResults ? type.getInputs() : type.getResults());
  if (TypeRange(op->getResultTypes()) != TypeRange(results))
    return op->emitOpError("(request_c4) result types ")
           << op->getResultTypes() << " must be " << results;
  return success();
}
} // namespace

LogicalResult VjpOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyRequest(*this, symbols, getCalleeAttr(), getPrimals(),
                       getCotangents(), /*seedsMatchResults=*/true);
}

LogicalResult JvpOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyRequest(*this, symbols, getCalleeAttr(), getPrimals(),
                       getTangents(), /*seedsMatchResults=*/false);
}

namespace {
func::FuncOp lookupFunction(Operation *op, SymbolTableCollection &symbols,
                            FlatSymbolRefAttr name) {
  return symbols.lookupNearestSymbolFrom<func::FuncOp>(op, name);
}

LogicalResult expectSignature(Operation *op, FlatSymbolRefAttr name,
                              func::FuncOp fn, TypeRange inputs,
                              TypeRange resultsPrefix, bool exactResults) {
  if (!fn)
    return op->emitOpError("(custom_c1) '")
           << name.getValue() << "' does not name a func.func";
  FunctionType type = fn.getFunctionType();
  TypeRange results(type.getResults());
  bool resultsOk = exactResults
                       ? results == resultsPrefix
                       : results.size() >= resultsPrefix.size() &&
                             results.take_front(resultsPrefix.size()) ==
                                 resultsPrefix;
  if (TypeRange(type.getInputs()) != inputs || !resultsOk)
    return op->emitOpError("(custom_c2) '")
           << name.getValue() << "' has type " << type << ", expected inputs "
           << inputs << " and results " << (exactResults ? "" : "starting with ")
           << resultsPrefix;
  return success();
}

/// Calls `name` (looked up from `op`) on `operands`.
func::CallOp callFunction(OpBuilder &b, Operation *op, FlatSymbolRefAttr name,
                          ValueRange operands) {
  auto fn = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(op, name);
  return func::CallOp::create(b, op->getLoc(), fn, operands);
}

/// Each seed, or zeros shaped like the value it is the seed of.
SmallVector<Value> seedsOrZeros(OpBuilder &b, Location loc,
                                ArrayRef<Value> seeds, ValueRange likes) {
  SmallVector<Value> out;
  for (auto [seed, like] : llvm::zip(seeds, likes))
    out.push_back(orZeros(b, loc, seed, like));
  return out;
}
} // namespace

LogicalResult CustomVjpOp::verifySymbolUses(SymbolTableCollection &symbols) {
  TypeRange operands = getOperands().getTypes(), results = getResultTypes();
  if (failed(expectSignature(*this, getCalleeAttr(),
                             lookupFunction(*this, symbols, getCalleeAttr()),
                             operands, results, /*exactResults=*/true)))
    return failure();
  auto forward = lookupFunction(*this, symbols, getForwardAttr());
  if (failed(expectSignature(*this, getForwardAttr(), forward, operands,
                             results, /*exactResults=*/false)))
    return failure();
  SmallVector<Type> backwardInputs(
      forward.getFunctionType().getResults().drop_front(results.size()));
  llvm::append_range(backwardInputs, results);
  return expectSignature(*this, getBackwardAttr(),
                         lookupFunction(*this, symbols, getBackwardAttr()),
                         backwardInputs, operands, /*exactResults=*/true);
}

LogicalResult CustomJvpOp::verifySymbolUses(SymbolTableCollection &symbols) {
  TypeRange operands = getOperands().getTypes(), results = getResultTypes();
  if (failed(expectSignature(*this, getCalleeAttr(),
                             lookupFunction(*this, symbols, getCalleeAttr()),
                             operands, results, /*exactResults=*/true)))
    return failure();
  SmallVector<Type> ruleInputs(operands), ruleResults(results);
  llvm::append_range(ruleInputs, operands);
  llvm::append_range(ruleResults, results);
  return expectSignature(*this, getRuleAttr(),
                         lookupFunction(*this, symbols, getRuleAttr()),
                         ruleInputs, ruleResults, /*exactResults=*/true);
}

// Reverse mode: residuals from the user's forward function, cotangents
// from the user's backward function.
SmallVector<Value> CustomVjpOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Location loc = getLoc();
  auto forward = callFunction(b, *this, getForwardAttr(), getOperands());
  SmallVector<Value> args(forward.getResults().drop_front(getNumResults()));
  llvm::append_range(args, seedsOrZeros(b, loc, cotangents, getResults()));
  auto backward = callFunction(b, *this, getBackwardAttr(), args);
  return SmallVector<Value>(backward.getResults());
}

// Forward mode has no user rule: differentiate the callee (a nested
// request, expanded by the same pass).
SmallVector<Value> CustomVjpOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  SmallVector<Type> types(getResultTypes());
  llvm::append_range(types, getResultTypes());
  auto request = JvpOp::create(
      b, getLoc(), types, getCalleeAttr(), getOperands(),
      seedsOrZeros(b, getLoc(), tangents, getOperands()));
  return SmallVector<Value>(request.getResults().drop_front(getNumResults()));
}

SmallVector<Value> CustomJvpOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  SmallVector<Value> args(getOperands());
  llvm::append_range(args, seedsOrZeros(b, getLoc(), tangents, getOperands()));
  auto rule = callFunction(b, *this, getRuleAttr(), args);
  return SmallVector<Value>(rule.getResults().drop_front(getNumResults()));
}

// Reverse mode of a custom JVP differentiates the callee itself.
SmallVector<Value> CustomJvpOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  SmallVector<Type> types(getResultTypes());
  llvm::append_range(types, getOperands().getTypes());
  auto request = VjpOp::create(
      b, getLoc(), types, getCalleeAttr(), getOperands(),
      seedsOrZeros(b, getLoc(), cotangents, getResults()));
  return SmallVector<Value>(request.getResults().drop_front(getNumResults()));
}

LogicalResult VmapOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto callee = lookupFunction(*this, symbols, getCalleeAttr());
  if (!callee)
    return emitOpError("(vmap_c1) '")
           << getCallee() << "' does not name a func.func";
  ArrayRef<bool> batched = getBatched();
  if (batched.size() != getOperands().size())
    return emitOpError("(vmap_c2) needs one batched flag per operand, got ")
           << batched.size() << " for " << getOperands().size() << " operands";
  std::optional<int64_t> size;
  FunctionType type = callee.getFunctionType();
  if (type.getNumInputs() != getOperands().size())
    return emitOpError("(vmap_c3) '") << getCallee() << "' takes "
                                      << type.getNumInputs() << " arguments";
  for (auto [i, operand, isBatched, expected] :
       llvm::enumerate(getOperands(), batched, type.getInputs())) {
    auto operandType = cast<RankedTensorType>(operand.getType());
    Type unbatched = operandType;
    if (isBatched) {
      if (operandType.getRank() == 0)
        return emitOpError("(vmap_c3) batched operand ") << i << " has no batch dimension";
      if (size && *size != operandType.getDimSize(0))
        return emitOpError("(vmap_c4) batched operand ")
               << i << " has batch size " << operandType.getDimSize(0)
               << ", expected " << *size;
      size = operandType.getDimSize(0);
      unbatched = RankedTensorType::get(operandType.getShape().drop_front(),
                                        operandType.getElementType());
    }
    if (unbatched != expected)
      return emitOpError("(vmap_c3) operand ")
             << i << " of type " << operandType << " does not match '"
             << getCallee() << "' argument " << i << " of type " << expected;
  }
  if (!size)
    return emitOpError("(vmap_c2) needs at least one batched operand");
  SmallVector<Type> results = llvm::map_to_vector(
      type.getResults(), [&](Type t) -> Type { return batchedType(t, *size); });
  if (TypeRange(getResultTypes()) != TypeRange(results))
    return emitOpError("(vmap_c5) result types ")
           << getResultTypes() << " must be " << results;
  return success();
}
