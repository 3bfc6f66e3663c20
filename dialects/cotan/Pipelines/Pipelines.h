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

/// cotan -> linalg/tensor/arith/math on tensors, canonicalized; with
/// `checkFinite`, every float result is checked for NaN and Inf first.
void buildCotanToLinalgPipeline(OpPassManager &pm, bool checkFinite = false);
/// linalg on tensors -> LLVM dialect: bufferization (results become
/// out-parameters, every temporary is freed), loops, then LLVM.
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options = {});
/// The whole CPU pipeline: the two above, in order.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options = {});

/// Registers `cotan-cpu-pipeline`, `cotan-to-linalg-pipeline` and
/// `cotan-linalg-to-llvm-pipeline`.
void registerCotanPipelines();

} // namespace mlir::cotan

#endif // COTAN_PIPELINES_PIPELINES_H
