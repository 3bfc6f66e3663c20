//===- ApproximateMath.cpp - the cotan-approximate-math pass --------------===//
//
// A libm call per element keeps loops scalar; MLIR's polynomial
// approximations are plain arithmetic that LLVM vectorizes. The patterns
// only rewrite f32 (f16/bf16 already compute in f32), leaving f64 to libm.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {
struct ApproximateMath
    : mlir::cotan::impl::ApproximateMathBase<ApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      name.consume_front("math.");
      return llvm::StringSwitch<bool>(name)
          .Cases({"exp", "expm1", "log", "log1p", "log2", "tanh", "sin", "cos",
                  "atan", "atan2", "erf", "erfc"},
                 true)
          .Default(false);
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
