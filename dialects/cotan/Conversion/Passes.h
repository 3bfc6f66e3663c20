//===- Passes.h - cotan conversion passes -----------------------*- C++ -*-===//
#ifndef COTAN_CONVERSION_PASSES_H
#define COTAN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::cotan {

#define GEN_PASS_DECL
#include "cotan/Conversion/Passes.h.inc"

/// Patterns lowering each cotan op family to linalg/tensor/arith/math.
void populateCotanElementwiseToLinalgPatterns(RewritePatternSet &patterns);
void populateCotanShapeToLinalgPatterns(RewritePatternSet &patterns);
void populateCotanReductionToLinalgPatterns(RewritePatternSet &patterns);
void populateCotanDotGeneralToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "cotan/Conversion/Passes.h.inc"

} // namespace mlir::cotan

#endif // COTAN_CONVERSION_PASSES_H
