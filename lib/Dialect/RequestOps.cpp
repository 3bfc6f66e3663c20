//===- RequestOps.cpp - cotan.vjp and cotan.jvp ---------------------------===//
//
// Differentiation requests name a func.func; their verifiers check the
// operand and result types against its signature.
//
//===----------------------------------------------------------------------===//

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
