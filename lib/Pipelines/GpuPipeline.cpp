//===- GpuPipeline.cpp - cotan-gpu-pipeline -------------------------------===//
//
// cotan -> linalg on tensors (as for the CPU) -> buffers -> parallel loops
// tiled into blocks of threads -> gpu.launch -> device memory for every
// buffer a kernel sees -> outlined kernels lowered to NVVM and serialized
// (PTX, cubin or fatbin); the host code calls the CUDA runtime wrappers
// (libmlir_cuda_runtime) to allocate, copy and launch.
//
//===----------------------------------------------------------------------===//

#include "cotan/Pipelines/Pipelines.h"

#include "cotan/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// The SM version of a chip name such as "sm_90a" (0 for another name).
static unsigned smVersion(StringRef chip) {
  unsigned version = 0;
  if (!chip.consume_front("sm_") || chip.take_while(llvm::isDigit).getAsInteger(10, version))
    return 0;
  return version;
}

void mlir::cotan::buildGpuPipeline(OpPassManager &pm,
                                   const GpuPipelineOptions &options) {
  buildCotanToLinalgPipeline(pm);
  // f32 transcendentals become arithmetic; f64 ones call libdevice.
  buildFusionPipeline(pm, options.fusion);
  buildBufferizationPipeline(pm);

  // Matrix products get their own shared-memory tiled kernels.
  cotan::GpuTileContractionsOptions contractions;
  contractions.threadTile = options.contractionThreadTile;
  // mma.sync's m16n8k16 shape for 16-bit floats needs sm_80 or later.
  contractions.tensorCores = smVersion(options.chip) >= 80;
  contractions.tensorCoreTile = options.tensorCoreTile;
  pm.addNestedPass<func::FuncOp>(cotan::createGpuTileContractions(contractions));
  // Row-wise reductions and totals: a block of threads per output.
  pm.addNestedPass<func::FuncOp>(cotan::createGpuBlockReductions());
  // Every other parallel dimension of a linalg op becomes a GPU dimension:
  // the innermost is tiled into blocks of `block-size` threads; the other
  // reductions (many outputs, each a strided column) run sequentially in
  // the thread that owns the output element.
  pm.addNestedPass<func::FuncOp>(cotan::createReductionsInnermost());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  cotan::GpuTileParallelLoopsOptions tiling;
  tiling.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(cotan::createGpuTileParallelLoops(tiling));
  GpuMapParallelLoopsPassOptions mapping;
  mapping.mappingPolicyStr = "innermost-first";
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass(mapping));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(cotan::createGpuDeviceMemory());
  pm.addPass(cotan::createBoolBuffersAsBytes());
  // Constants hoisted out of the launches go back in, rather than becoming
  // kernel parameters.
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  // The runtime lowering wants asynchronous GPU ops on one stream (after
  // outlining: launches become launch_funcs); the host waits before it
  // touches their results.
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = options.features;
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = 3;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}
