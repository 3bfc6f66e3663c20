//===- CpuPipeline.cpp - cotan-cpu-pipeline -------------------------------===//
//
// cotan -> linalg on tensors -> one-shot bufferization (results become
// caller-allocated out-parameters; every temporary is freed) -> loops ->
// LLVM dialect, ready for the ExecutionEngine.
//
//===----------------------------------------------------------------------===//

#include "cotan/Pipelines/Pipelines.h"

#include "cotan/Conversion/Passes.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Async/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::cotan::buildCotanToLinalgPipeline(OpPassManager &pm,
                                             bool checkFinite) {
  // Transformations (derivatives, batching) first; inlining then merges
  // the generated functions into their callers so CSE shares the forward
  // values with the gradient.
  pm.addPass(createExpandTransforms());
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // After the derivatives exist (their ops are checked too) and CSE (each
  // value once); nothing runs when the check is off.
  if (checkFinite)
    pm.addPass(cotan::createCheckFinite());
  pm.addPass(createConvertCotanToLinalg());
  // Functions with sharded arguments become per-process programs.
  pm.addPass(cotan::createPartition());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::cotan::buildFusionPipeline(OpPassManager &pm, bool fusion) {
  // Elementwise producers fuse into their consumers before buffers exist,
  // so fused intermediates are never materialized. Fusion works on generics,
  // so named ops (reductions, fills, transposes) are generalized first.
  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  if (fusion)
    pm.addPass(cotan::createFuseElementwise());
  pm.addPass(createApproximateMath());
  pm.addPass(createCanonicalizerPass());
}

void mlir::cotan::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                            const CpuPipelineOptions &options) {
  buildFusionPipeline(pm, options.fusion);
  buildBufferizationPipeline(pm);
  pm.addPass(cotan::createBoolBuffersAsBytes());
  pm.addNestedPass<func::FuncOp>(cotan::createExpandStridedCopies());

  // Matmuls get blocked, packed and vectorized, elementwise loops
  // vectorized; large ones run on the MLIR async runtime's worker threads:
  // split over `threads` of them (all the host has by default), or, with
  // one thread, not split at all (no runtime calls).
  if (options.kernels) {
    cotan::TileMatmulOptions matmul;
    matmul.parallel = options.threads != 1;
    matmul.minTasks = std::max<int64_t>(options.threads, 0);
    cotan::VectorizeElementwiseOptions elementwise;
    if (options.threads == 1)
      elementwise.parallelThreshold = 0;
    pm.addNestedPass<func::FuncOp>(cotan::createTileMatmul(matmul));
    pm.addNestedPass<func::FuncOp>(cotan::createVectorizeElementwise(elementwise));
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  AsyncParallelForPassOptions parallelFor;
  parallelFor.numWorkerThreads = options.threads > 0 ? options.threads : -1;
  parallelFor.minTaskSize = 1;
  pm.addPass(createAsyncParallelForPass(parallelFor));
  pm.addPass(createAsyncToAsyncRuntimePass());
  pm.addPass(createAsyncRuntimeRefCountingPass());
  pm.addPass(createAsyncRuntimeRefCountingOptPass());
  pm.addPass(createConvertAsyncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // bf16 conversions become integer bit manipulation: no compiler-rt call.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  // Math ops without an LLVM intrinsic (f64 erf) become libm calls, one per
  // vector lane; the lane extracts are vector ops, lowered next.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // MPI calls, for the ABI the module's `MPI:Implementation` names.
  ConvertToLLVMPassOptions mpiToLLVM;
  mpiToLLVM.filterDialects = {"mpi"};
  pm.addPass(createConvertToLLVMPass(mpiToLLVM));
  pm.addPass(cotan::createOpenMPIOperationSymbols());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::cotan::buildCpuPipeline(OpPassManager &pm,
                                   const CpuPipelineOptions &options) {
  buildCotanToLinalgPipeline(pm, options.debugNans);
  buildLinalgToLLVMPipeline(pm, options);
}

void mlir::cotan::registerCotanPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "cotan-cpu-pipeline",
      "Lower cotan to the LLVM dialect for the CPU (bufferized, results as "
      "out-parameters)",
      buildCpuPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "cotan-to-linalg-pipeline",
      "Lower cotan to linalg/tensor/arith/math on tensors and clean up "
      "(with debug-nans, checking every float result)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildCotanToLinalgPipeline(pm, options.debugNans);
      });
  PassPipelineRegistration<CpuPipelineOptions>(
      "cotan-linalg-to-llvm-pipeline",
      "Bufferize linalg on tensors and lower it to the LLVM dialect",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<GpuPipelineOptions>(
      "cotan-gpu-pipeline",
      "Lower cotan to NVIDIA GPU kernels (NVVM, then PTX/cubin/fatbin) "
      "launched from host code in the LLVM dialect",
      buildGpuPipeline);
}
