//===- CotanToLinalg.cpp - the convert-cotan-to-linalg pass ---------------===//
//
// A thin pass: the patterns live in one file per op family.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_CONVERTCOTANTOLINALG
#include "cotan/Conversion/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {
struct ConvertCotanToLinalg
    : mlir::cotan::impl::ConvertCotanToLinalgBase<ConvertCotanToLinalg> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<CotanDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(context);
    populateCotanElementwiseToLinalgPatterns(patterns);
    populateCotanShapeToLinalgPatterns(patterns);
    populateCotanReductionToLinalgPatterns(patterns);
    populateCotanDotGeneralToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
