//===- Pipelines.h - named cotan pipelines ----------------------*- C++ -*-===//
#ifndef COTAN_PIPELINES_PIPELINES_H
#define COTAN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::cotan {

/// What the CPU pipeline optimizes; both on by default. Turning them off
/// gives a reference lowering (plain loops, materialized intermediates) to
/// compare results against.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> fusion{*this, "fusion",
                      llvm::cl::desc("Fuse elementwise producers into their "
                                     "consumers"),
                      llvm::cl::init(true)};
  Option<bool> kernels{*this, "kernels",
                       llvm::cl::desc("Block and pack matmuls, vectorize "
                                      "elementwise loops and reductions, and "
                                      "run large ones on threads"),
                       llvm::cl::init(true)};
  Option<int64_t> threads{*this, "threads",
                          llvm::cl::desc("Threads a parallel loop is split "
                                         "over (0: the host's cores; 1: no "
                                         "parallel loops at all)"),
                          llvm::cl::init(0)};
  Option<bool> debugNans{*this, "debug-nans",
                         llvm::cl::desc("Check every float op's result for "
                                        "NaN and Inf (cotan-check-finite)"),
                         llvm::cl::init(false)};
};

/// What the GPU pipeline targets and how it maps loops to threads.
struct GpuPipelineOptions : public PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("Target GPU (sm_90: H100/H200)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX features (sm_90 needs "
                                              "+ptx80 or later)"),
                               llvm::cl::init("+ptx80")};
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("What the kernels compile to: isa "
                                            "(PTX text), bin (cubin) or "
                                            "fatbin"),
                             llvm::cl::init("fatbin")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block along the "
                                           "innermost parallel dimension"),
                            llvm::cl::init(256)};
  Option<int64_t> contractionThreadTile{
      *this, "contraction-thread-tile",
      llvm::cl::desc("Outputs per thread along each dimension of a matrix "
                     "product's tile (16x16 threads per block)"),
      llvm::cl::init(4)};
  Option<int64_t> tensorCoreTile{
      *this, "tensor-core-tile",
      llvm::cl::desc("Output tile of a block computing an f16/bf16 product "
                     "on tensor cores: 64, 128, or 0 to choose by size"),
      llvm::cl::init(0)};
  Option<bool> fusion{*this, "fusion",
                      llvm::cl::desc("Fuse elementwise producers into their "
                                     "consumers (one kernel)"),
                      llvm::cl::init(true)};
};

/// cotan -> linalg/tensor/arith/math on tensors, canonicalized; with
/// `checkFinite`, every float result is checked for NaN and Inf first.
void buildCotanToLinalgPipeline(OpPassManager &pm, bool checkFinite = false);
/// linalg on tensors -> LLVM dialect: bufferization (results become
/// out-parameters, every temporary is freed), loops, then LLVM.
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options = {});
/// The whole CPU pipeline: the two above, in order.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options = {});
/// linalg on tensors, before buffers: named ops generalized, elementwise
/// producers fused into consumers (with `fusion`), f32 transcendentals
/// approximated by polynomials.
void buildFusionPipeline(OpPassManager &pm, bool fusion);
/// Tensors -> buffers: one-shot bufferization, results as out-parameters,
/// every temporary freed.
void buildBufferizationPipeline(OpPassManager &pm);
/// cotan -> kernels for NVIDIA GPUs (NVVM, then PTX/cubin) launched from
/// host code lowered to the LLVM dialect (CUDA runtime wrapper calls).
void buildGpuPipeline(OpPassManager &pm, const GpuPipelineOptions &options = {});

/// Registers `cotan-cpu-pipeline`, `cotan-to-linalg-pipeline`,
/// `cotan-linalg-to-llvm-pipeline` and `cotan-gpu-pipeline`.
void registerCotanPipelines();

} // namespace mlir::cotan

#endif // COTAN_PIPELINES_PIPELINES_H
