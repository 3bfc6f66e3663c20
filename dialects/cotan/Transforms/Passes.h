//===- Passes.h - cotan transformation passes -------------------*- C++ -*-===//
#ifndef COTAN_TRANSFORMS_PASSES_H
#define COTAN_TRANSFORMS_PASSES_H

#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::cotan {

#define GEN_PASS_DECL
#include "cotan/Transforms/Passes.h.inc"

/// Builds `<name>(primals..., cotangents...) -> (results..., gradients...)`,
/// the reverse-mode derivative of `function` (single block, no calls), as
/// a private function inserted into `symbols` (renamed if `name` is taken).
FailureOr<func::FuncOp> buildAdjointFunction(func::FuncOp function,
                                             StringRef name,
                                             SymbolTable &symbols);

/// Builds `<name>(primals..., tangents...) -> (results..., tangents...)`,
/// the forward-mode derivative of `function` (single block, no calls), as
/// a private function inserted into `symbols`.
FailureOr<func::FuncOp> buildTangentFunction(func::FuncOp function,
                                             StringRef name,
                                             SymbolTable &symbols);

/// Builds `<name>(args...) -> (results...)`, `function` mapped over a leading
/// batch dimension of `batchSize` on the arguments flagged in `batched`.
FailureOr<func::FuncOp> buildBatchedFunction(func::FuncOp function,
                                             StringRef name,
                                             ArrayRef<bool> batched,
                                             int64_t batchSize,
                                             SymbolTable &symbols);

/// Creates the private function `name(inputs) -> (results)` derived from
/// `function`, inserts it into `symbols` (before its body exists, so rules
/// can resolve symbols) and points `builder` at its entry block. Fails with
/// "can only be <transformed> with a single block" for a multi-block body.
FailureOr<func::FuncOp> createDerivedFunction(func::FuncOp function,
                                              StringRef transformed,
                                              StringRef name, TypeRange inputs,
                                              TypeRange results,
                                              SymbolTable &symbols,
                                              OpBuilder &builder);

/// Registers the derivative and batching rules of cotan.switch, cotan.while
/// and cotan.scan (external models: they transform regions with the
/// builders above). Contexts that transform control flow need them.
void registerControlFlowRules(DialectRegistry &registry);

/// Declares the memory effects of the mpi dialect's ops (external models),
/// which buffer deallocation needs around compiled collectives, and lets
/// the inliner inline them.
void registerMPIInterfaces(DialectRegistry &registry);

#define GEN_PASS_REGISTRATION
#include "cotan/Transforms/Passes.h.inc"

} // namespace mlir::cotan

#endif // COTAN_TRANSFORMS_PASSES_H
