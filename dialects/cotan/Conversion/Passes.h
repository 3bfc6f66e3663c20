//===- Passes.h - cotan conversion passes -----------------------*- C++ -*-===//
#ifndef COTAN_CONVERSION_PASSES_H
#define COTAN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::cotan {

#define GEN_PASS_DECL
#include "cotan/Conversion/Passes.h.inc"

/// Lowered cotan stores booleans as bytes: tensor<...xi1> becomes
/// tensor<...xi8> holding 0 or 1. MemRef-to-LLVM cannot load i1 elements,
/// and a byte per boolean is NumPy's layout, so buffers pass through
/// unchanged. Inside linalg bodies booleans are i1 again.
class BoolAsByteTypeConverter : public TypeConverter {
public:
  BoolAsByteTypeConverter();
};

/// Patterns lowering each cotan op family to linalg/tensor/arith/math/scf.
void populateCotanElementwiseToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns);
void populateCotanShapeToLinalgPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns);
void populateCotanReductionToLinalgPatterns(const TypeConverter &converter,
                                            RewritePatternSet &patterns);
void populateCotanDotGeneralToLinalgPatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns);
void populateCotanConvolutionToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns);
void populateCotanHostCallPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);
void populateCotanReduceWindowToSlicesPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns);
void populateCotanControlFlowToScfPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);
void populateCotanSortToLoopsPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);
void populateCotanCollectivesToMPIPatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "cotan/Conversion/Passes.h.inc"

} // namespace mlir::cotan

#endif // COTAN_CONVERSION_PASSES_H
