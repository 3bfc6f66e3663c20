//===- Pipelines.h - named cotan pipelines ----------------------*- C++ -*-===//
#ifndef COTAN_PIPELINES_PIPELINES_H
#define COTAN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace mlir::cotan {

/// cotan -> linalg/tensor/arith/math on tensors, canonicalized.
void buildCotanToLinalgPipeline(OpPassManager &pm);
/// linalg on tensors -> LLVM dialect: bufferization (results become
/// out-parameters, every temporary is freed), loops, then LLVM.
void buildLinalgToLLVMPipeline(OpPassManager &pm);
/// The whole CPU pipeline: the two above, in order.
void buildCpuPipeline(OpPassManager &pm);

/// Registers `cotan-cpu-pipeline`, `cotan-to-linalg-pipeline` and
/// `cotan-linalg-to-llvm-pipeline`.
void registerCotanPipelines();

} // namespace mlir::cotan

#endif // COTAN_PIPELINES_PIPELINES_H
