//===- OpenMPIOperationSymbols.cpp - the cotan-openmpi-operation-symbols pass ---===//
//
// Renames the external globals MPI-to-LLVM declares for OpenMPI's
// predefined reductions (`ompi_mpi_sum`) to the symbols libmpi exports
// (`ompi_mpi_op_sum`).
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_OPENMPIOPERATIONSYMBOLS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

constexpr StringLiteral kOperations[] = {
    "sum",  "max", "min",  "prod",   "land",   "band",    "lor",
    "bor",  "lxor", "bxor", "minloc", "maxloc", "replace", "no_op"};

struct OpenMPIOperationSymbols
    : mlir::cotan::impl::OpenMPIOperationSymbolsBase<OpenMPIOperationSymbols> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (StringRef operation : kOperations) {
      std::string wrong = ("ompi_mpi_" + operation).str();
      auto global = symbols.lookup<LLVM::GlobalOp>(wrong);
      if (!global || global.getLinkage() != LLVM::Linkage::External)
        continue;
      if (failed(symbols.rename(global, ("ompi_mpi_op_" + operation).str()))) {
        global.emitError("cannot rename to OpenMPI's symbol");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
