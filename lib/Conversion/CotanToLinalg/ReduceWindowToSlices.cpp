//===- ReduceWindowToSlices.cpp - pooling as combined strided slices -----===//
//
// cotan.reduce_window becomes the elementwise sum/max/min of its window
// slices (one strided slice of the padded operand per window offset),
// which the elementwise fusion then turns into one loop nest.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

struct ReduceWindowToSlices : OpConversionPattern<ReduceWindowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceWindowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> slices = op.windowSlices(
        rewriter, adaptor.getOperand(), op.identity(rewriter, loc));
    Value result = slices.front();
    for (Value slice : llvm::drop_begin(slices)) {
      switch (op.getKind()) {
      case WindowReduction::Sum:
        result = AddOp::create(rewriter, loc, result, slice);
        break;
      case WindowReduction::Max:
        result = MaxOp::create(rewriter, loc, result, slice);
        break;
      case WindowReduction::Min:
        result = MinOp::create(rewriter, loc, result, slice);
        break;
      }
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanReduceWindowToSlicesPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReduceWindowToSlices>(converter, patterns.getContext());
}
