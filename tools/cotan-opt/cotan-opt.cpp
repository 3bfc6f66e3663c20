//===- cotan-opt.cpp - mlir-opt with the cotan dialect and passes ---------===//
//
// Every upstream dialect, pass and extension (and the GPU-to-LLVM IR
// translations that serializing kernels needs), plus cotan's dialect,
// conversion passes and named pipelines.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"
#include "cotan/Pipelines/Pipelines.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::cotan::registerCotanConversionPasses();
  mlir::cotan::registerCotanTransformsPasses();
  mlir::cotan::registerCotanPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR (then PTX).
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  registry.insert<mlir::cotan::CotanDialect>();
  mlir::cotan::registerControlFlowRules(registry);
  mlir::cotan::registerMPIInterfaces(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cotan optimizer driver\n", registry));
}
