//===- HostCalls.cpp - ops that call back into the host ------------------===//
//
// cotan.debug_callback N becomes a call of the external function
// `cotan_callback_N`; cotan.check_finite becomes a reduction that flags a
// NaN or Inf, and a call of `cotan_nonfinite(check)` only when it does.
// These callees have the C interface: the host registers
// `_mlir_ciface_<name>` with the ExecutionEngine before running the code,
// and function-boundary bufferization hands them identity-layout buffers.
// cotan.ffi_call passes plain data pointers instead (what a C kernel
// expects): of identity-layout buffers of its operands, then of freshly
// allocated result buffers, which become its results.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// The external host function `name` of `type`, declared once per module;
/// null (after a diagnostic on `user`) if the name is taken by another type.
func::FuncOp hostFunction(ConversionPatternRewriter &rewriter, Operation *user,
                          StringRef name, FunctionType type,
                          bool cInterface = true) {
  auto module = user->getParentOfType<ModuleOp>();
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (callee) {
    if (callee.getFunctionType() == type)
      return callee;
    user->emitOpError("host function '")
        << name << "' is used with types " << type << " and "
        << callee.getFunctionType();
    return nullptr;
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  callee = func::FuncOp::create(rewriter, user->getLoc(), name, type);
  callee.setPrivate();
  if (cInterface)
    callee->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
  return callee;
}

struct DebugCallbackToCall : OpConversionPattern<DebugCallbackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DebugCallbackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = FunctionType::get(op.getContext(),
                                  ValueRange(adaptor.getOperands()).getTypes(), {});
    func::FuncOp callee = hostFunction(
        rewriter, op, ("cotan_callback_" + Twine(op.getCallback())).str(), type);
    if (!callee)
      return failure();
    func::CallOp::create(rewriter, op.getLoc(), callee, adaptor.getOperands());
    rewriter.eraseOp(op);
    return success();
  }
};

/// flag = OR over all elements of (x - x != 0), true exactly for NaN and
/// +-Inf; if flag: cotan_nonfinite(check).
struct CheckFiniteToCall : OpConversionPattern<CheckFiniteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CheckFiniteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getOperand();
    auto type = cast<RankedTensorType>(x.getType());
    Type i8 = rewriter.getI8Type(), i64 = rewriter.getI64Type();
    func::FuncOp report = hostFunction(
        rewriter, op, "cotan_nonfinite",
        FunctionType::get(op.getContext(), {i64}, {}));
    if (!report)
      return failure();

    auto flagType = RankedTensorType::get({}, i8);
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getI8IntegerAttr(0));
    Value init = linalg::FillOp::create(rewriter, loc, zero,
                                        emptyTensor(rewriter, loc, flagType))
                     .getResult(0);
    int64_t rank = type.getRank();
    AffineMap all = rewriter.getMultiDimIdentityMap(rank);
    AffineMap none = AffineMap::get(rank, 0, rewriter.getContext());
    Value flag =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{flagType}, ValueRange{x}, ValueRange{init},
            ArrayRef<AffineMap>{all, none},
            SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value difference = arith::SubFOp::create(b, l, args[0], args[0]);
              Value zeroF = arith::ConstantOp::create(
                  b, l, b.getFloatAttr(args[0].getType(), 0.0));
              Value bad = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE,
                                                difference, zeroF);
              Value asByte = arith::ExtUIOp::create(b, l, i8, bad);
              linalg::YieldOp::create(b, l, Value(arith::OrIOp::create(b, l, args[1], asByte)));
            })
            ->getResult(0);
    Value any = tensor::ExtractOp::create(rewriter, loc, flag, ValueRange{});
    Value isBad = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ne, any, zero);
    auto branch = scf::IfOp::create(rewriter, loc, isBad, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(branch.thenBlock());
    Value check = arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(op.getCheck()));
    func::CallOp::create(rewriter, loc, report, ValueRange{check});
    rewriter.eraseOp(op);
    return success();
  }
};

/// The aligned data pointer of `buffer` as an !llvm.ptr.
Value dataPointer(OpBuilder &b, Location loc, Value buffer) {
  Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, b.getIndexType(), buffer);
  Value address = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()),
                                  address);
}

struct FfiCallToCall : OpConversionPattern<FfiCallOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FfiCallOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto identityBuffer = [](Type tensor) {
      auto type = cast<RankedTensorType>(tensor);
      return MemRefType::get(type.getShape(), type.getElementType());
    };
    SmallVector<Value> pointers, results;
    for (Value operand : adaptor.getOperands()) {
      Value buffer = bufferization::ToBufferOp::create(
          rewriter, loc, identityBuffer(operand.getType()), operand, /*readOnly=*/true);
      pointers.push_back(dataPointer(rewriter, loc, buffer));
    }
    SmallVector<Value> outputs;
    for (Type type : op.getResultTypes()) {
      Type storage = getTypeConverter()->convertType(type);
      Value buffer = memref::AllocOp::create(rewriter, loc, identityBuffer(storage));
      outputs.push_back(buffer);
      pointers.push_back(dataPointer(rewriter, loc, buffer));
    }
    func::FuncOp callee = hostFunction(
        rewriter, op, op.getTarget(),
        FunctionType::get(op.getContext(), ValueRange(pointers).getTypes(), {}),
        /*cInterface=*/false);
    if (!callee)
      return failure();
    func::CallOp::create(rewriter, loc, callee, pointers);
    for (auto [buffer, type] : llvm::zip(outputs, op.getResultTypes()))
      results.push_back(bufferization::ToTensorOp::create(
          rewriter, loc, getTypeConverter()->convertType(type), buffer,
          /*restrict=*/true, /*writable=*/true));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanHostCallPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<DebugCallbackToCall, CheckFiniteToCall, FfiCallToCall>(converter,
                                                                     patterns.getContext());
}
