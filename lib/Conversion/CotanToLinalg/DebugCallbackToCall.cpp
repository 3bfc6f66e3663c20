//===- DebugCallbackToCall.cpp - host callbacks as external calls ---------===//
//
// cotan.debug_callback N becomes a call of the external function
// `cotan_callback_N` with the C interface. Function-boundary
// bufferization gives the callee identity-layout buffers (copying a
// strided operand), and the host registers `_mlir_ciface_cotan_callback_N`
// with the ExecutionEngine before running the code.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

struct DebugCallbackToCall : OpConversionPattern<DebugCallbackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DebugCallbackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto module = op->getParentOfType<ModuleOp>();
    if (!module)
      return rewriter.notifyMatchFailure(op, "not inside a module");
    std::string name = ("cotan_callback_" + Twine(op.getCallback())).str();
    auto type = FunctionType::get(op.getContext(),
                                  ValueRange(adaptor.getOperands()).getTypes(), {});
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    if (!callee) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(module.getBody());
      callee = func::FuncOp::create(rewriter, op.getLoc(), name, type);
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
    } else if (callee.getFunctionType() != type) {
      return op.emitOpError("callback ")
             << op.getCallback() << " is used with operand types "
             << type.getInputs() << " and " << callee.getFunctionType().getInputs();
    }
    func::CallOp::create(rewriter, op.getLoc(), callee, adaptor.getOperands());
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanDebugCallbackToCallPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<DebugCallbackToCall>(converter, patterns.getContext());
}
