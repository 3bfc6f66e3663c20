//===- ElementwiseToLinalg.cpp - elementwise cotan ops to linalg.generic --===//
//
// Every elementwise op becomes one parallel linalg.generic whose body is the
// op's scalar rule below (the one table from cotan op to arith/math op).
// f16/bf16 operands are widened to f32 for the computation and the result
// rounded back.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::cotan;

//===----------------------------------------------------------------------===//
// Shared scalar helpers
//===----------------------------------------------------------------------===//

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value intConstant(OpBuilder &b, Location loc, Type type, const APInt &value) {
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value intConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  unsigned width = type.getIntOrFloatBitWidth();
  return intConstant(b, loc, type, APInt(width, value, /*isSigned=*/true));
}

} // namespace

Value mlir::cotan::convertScalar(OpBuilder &b, Location loc, Value value,
                                 Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  if (to.isInteger(1)) {
    if (isa<FloatType>(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   floatConstant(b, loc, from, 0.0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value,
                                 intConstant(b, loc, from, 0));
  }
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (auto fromFloat = dyn_cast<FloatType>(from)) {
      if (fromFloat.getWidth() < toFloat.getWidth())
        return arith::ExtFOp::create(b, loc, to, value);
      if (fromFloat.getWidth() > toFloat.getWidth())
        return arith::TruncFOp::create(b, loc, to, value);
      // f16 <-> bf16: through f32, which holds both exactly.
      return arith::TruncFOp::create(b, loc, to, upcastHalf(b, loc, value));
    }
    // Integers convert through f32 when the target is a half type so that
    // bf16 rounding goes through the expanded truncf.
    Type via = isHalf(to) ? b.getF32Type() : to;
    Value f = from.isInteger(1) ? Value(arith::UIToFPOp::create(b, loc, via,
                                                                value))
                                : Value(arith::SIToFPOp::create(b, loc, via,
                                                                value));
    return via == to ? f : Value(arith::TruncFOp::create(b, loc, to, f));
  }
  if (isa<FloatType>(from))
    return arith::FPToSIOp::create(b, loc, to, upcastHalf(b, loc, value));
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (from.isInteger(1))
    return arith::ExtUIOp::create(b, loc, to, value);
  return arith::ExtSIOp::create(b, loc, to, value);
}

Value mlir::cotan::extremeValue(OpBuilder &b, Location loc, Type type,
                                bool largest) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(type, APFloat::getInf(floatType.getFloatSemantics(),
                                             /*Negative=*/!largest)));
  unsigned width = type.getIntOrFloatBitWidth();
  if (width == 1)
    return intConstant(b, loc, type, APInt(1, largest ? 1 : 0));
  return intConstant(b, loc, type,
                     largest ? APInt::getSignedMaxValue(width)
                             : APInt::getSignedMinValue(width));
}

Value mlir::cotan::convertTensor(OpBuilder &b, Location loc, Value tensor,
                                 Type element) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == element)
    return tensor;
  auto resultType = type.clone(element);
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{tensor},
             ValueRange{emptyTensor(b, loc, resultType,
                                    dynamicSizesOf(b, loc, resultType, tensor))},
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, convertScalar(nb, nloc, args[0], element));
             })
      ->getResult(0);
}

//===----------------------------------------------------------------------===//
// Scalar rules, one per op (f16/bf16 operands arrive widened to f32)
//===----------------------------------------------------------------------===//

namespace {

template <typename FloatOp, typename IntOp>
Value floatOrInt(OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return FloatOp::create(b, loc, x[0], x[1]);
  return IntOp::create(b, loc, x[0], x[1]);
}

Value scalarRule(NegOp, OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::NegFOp::create(b, loc, x[0]);
  return arith::SubIOp::create(b, loc, intConstant(b, loc, x[0].getType(), 0),
                               x[0]);
}
Value scalarRule(AbsOp, OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return math::AbsFOp::create(b, loc, x[0]);
  return math::AbsIOp::create(b, loc, x[0]);
}
Value scalarRule(ExpOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::ExpOp::create(b, loc, x[0]);
}
Value scalarRule(LogOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::LogOp::create(b, loc, x[0]);
}
Value scalarRule(Log1pOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::Log1pOp::create(b, loc, x[0]);
}
Value scalarRule(Expm1Op, OpBuilder &b, Location loc, ValueRange x) {
  return math::ExpM1Op::create(b, loc, x[0]);
}
Value scalarRule(ErfOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::ErfOp::create(b, loc, x[0]);
}
Value scalarRule(ErfcOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::ErfcOp::create(b, loc, x[0]);
}
Value scalarRule(TanhOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::TanhOp::create(b, loc, x[0]);
}
Value scalarRule(LogisticOp, OpBuilder &b, Location loc, ValueRange x) {
  // 1 / (1 + e^-x): e^-x overflows to inf for very negative x, giving 0.
  Type t = x[0].getType();
  Value one = floatConstant(b, loc, t, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x[0]));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}
Value scalarRule(SqrtOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::SqrtOp::create(b, loc, x[0]);
}
Value scalarRule(RsqrtOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::RsqrtOp::create(b, loc, x[0]);
}
Value scalarRule(SinOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::SinOp::create(b, loc, x[0]);
}
Value scalarRule(CosOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::CosOp::create(b, loc, x[0]);
}
Value scalarRule(FloorOp, OpBuilder &b, Location loc, ValueRange x) {
  return math::FloorOp::create(b, loc, x[0]);
}
Value scalarRule(SignOp, OpBuilder &b, Location loc, ValueRange x) {
  Type t = x[0].getType();
  if (isFloat(x[0])) {
    // +-0 and NaN map to themselves, everything else to +-1.
    Value zeroOrNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UEQ,
                                            x[0], floatConstant(b, loc, t, 0));
    Value unit =
        math::CopySignOp::create(b, loc, floatConstant(b, loc, t, 1), x[0]);
    return arith::SelectOp::create(b, loc, zeroOrNaN, x[0], unit);
  }
  Value zero = intConstant(b, loc, t, 0);
  auto positive = arith::ExtUIOp::create(
      b, loc, t,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x[0], zero));
  auto negative = arith::ExtUIOp::create(
      b, loc, t,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x[0], zero));
  return arith::SubIOp::create(b, loc, positive, negative);
}
Value scalarRule(NotOp, OpBuilder &b, Location loc, ValueRange x) {
  Type t = x[0].getType();
  return arith::XOrIOp::create(
      b, loc, x[0],
      intConstant(b, loc, t, APInt::getAllOnes(t.getIntOrFloatBitWidth())));
}

Value scalarRule(AddOp, OpBuilder &b, Location loc, ValueRange x) {
  return floatOrInt<arith::AddFOp, arith::AddIOp>(b, loc, x);
}
Value scalarRule(SubOp, OpBuilder &b, Location loc, ValueRange x) {
  return floatOrInt<arith::SubFOp, arith::SubIOp>(b, loc, x);
}
Value scalarRule(MulOp, OpBuilder &b, Location loc, ValueRange x) {
  return floatOrInt<arith::MulFOp, arith::MulIOp>(b, loc, x);
}

/// Integer division and remainder trap on x86 for a zero divisor and for
/// INT_MIN / -1. Like XLA, cotan defines them instead: x / 0 = -1,
/// x % 0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
Value safeIntDivRem(OpBuilder &b, Location loc, Value x, Value y, bool rem) {
  Type t = x.getType();
  unsigned width = t.getIntOrFloatBitWidth();
  Value zero = intConstant(b, loc, t, 0);
  Value one = intConstant(b, loc, t, 1);
  Value minusOne = intConstant(b, loc, t, -1);
  Value intMin = intConstant(b, loc, t, APInt::getSignedMinValue(width));
  Value byZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
  Value overflow = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, intMin),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, minusOne));
  Value unsafe = arith::OrIOp::create(b, loc, byZero, overflow);
  Value divisor = arith::SelectOp::create(b, loc, unsafe, one, y);
  if (rem) {
    Value r = arith::RemSIOp::create(b, loc, x, divisor);
    Value r0 = arith::SelectOp::create(b, loc, overflow, zero, r);
    return arith::SelectOp::create(b, loc, byZero, x, r0);
  }
  Value q = arith::DivSIOp::create(b, loc, x, divisor);
  // INT_MIN / 1 is already INT_MIN; only the zero divisor needs fixing.
  return arith::SelectOp::create(b, loc, byZero, minusOne, q);
}

Value scalarRule(DivOp, OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::DivFOp::create(b, loc, x[0], x[1]);
  return safeIntDivRem(b, loc, x[0], x[1], /*rem=*/false);
}
Value scalarRule(RemOp, OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::RemFOp::create(b, loc, x[0], x[1]);
  return safeIntDivRem(b, loc, x[0], x[1], /*rem=*/true);
}
Value scalarRule(PowOp, OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return math::PowFOp::create(b, loc, x[0], x[1]);
  // math.ipowi divides by the base for negative exponents; a zero base would
  // trap. 0 ^ negative is defined as 0 (what 2 ^ negative gives).
  Type t = x[0].getType();
  Value zero = intConstant(b, loc, t, 0);
  Value trap = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x[0], zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x[1], zero));
  Value base =
      arith::SelectOp::create(b, loc, trap, intConstant(b, loc, t, 2), x[0]);
  return math::IPowIOp::create(b, loc, base, x[1]);
}
Value scalarRule(MaxOp, OpBuilder &b, Location loc, ValueRange x) {
  return floatOrInt<arith::MaximumFOp, arith::MaxSIOp>(b, loc, x);
}
Value scalarRule(MinOp, OpBuilder &b, Location loc, ValueRange x) {
  return floatOrInt<arith::MinimumFOp, arith::MinSIOp>(b, loc, x);
}
Value scalarRule(Atan2Op, OpBuilder &b, Location loc, ValueRange x) {
  return math::Atan2Op::create(b, loc, x[0], x[1]);
}
Value scalarRule(AndOp, OpBuilder &b, Location loc, ValueRange x) {
  return arith::AndIOp::create(b, loc, x[0], x[1]);
}
Value scalarRule(OrOp, OpBuilder &b, Location loc, ValueRange x) {
  return arith::OrIOp::create(b, loc, x[0], x[1]);
}

Value scalarRule(XorOp, OpBuilder &b, Location loc, ValueRange x) {
  return arith::XOrIOp::create(b, loc, x[0], x[1]);
}

/// x[0] shifted by x[1], or 0 when the amount is not below the bit width
/// (arith's shifts give poison there; XLA's give 0).
template <typename ShiftOp>
Value boundedShift(OpBuilder &b, Location loc, ValueRange x) {
  Type type = x[0].getType();
  Value width = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, type.getIntOrFloatBitWidth()));
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x[1], width);
  Value shifted = ShiftOp::create(b, loc, x[0], x[1]);
  Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 0));
  return arith::SelectOp::create(b, loc, inRange, shifted, zero);
}
Value scalarRule(ShiftLeftOp, OpBuilder &b, Location loc, ValueRange x) {
  return boundedShift<arith::ShLIOp>(b, loc, x);
}
Value scalarRule(ShiftRightLogicalOp, OpBuilder &b, Location loc, ValueRange x) {
  return boundedShift<arith::ShRUIOp>(b, loc, x);
}
Value scalarRule(BitcastConvertOp op, OpBuilder &b, Location loc, ValueRange x) {
  return arith::BitcastOp::create(b, loc, getElementTypeOrSelf(op.getType()), x[0]);
}

Value scalarRule(CompareOp op, OpBuilder &b, Location loc, ValueRange x) {
  ComparisonDirection dir = op.getDirection();
  if (isFloat(x[0])) {
    // Ordered comparisons: false with a NaN, except `ne` which is true.
    arith::CmpFPredicate pred;
    switch (dir) {
    case ComparisonDirection::EQ: pred = arith::CmpFPredicate::OEQ; break;
    case ComparisonDirection::NE: pred = arith::CmpFPredicate::UNE; break;
    case ComparisonDirection::LT: pred = arith::CmpFPredicate::OLT; break;
    case ComparisonDirection::LE: pred = arith::CmpFPredicate::OLE; break;
    case ComparisonDirection::GT: pred = arith::CmpFPredicate::OGT; break;
    case ComparisonDirection::GE: pred = arith::CmpFPredicate::OGE; break;
    }
    return arith::CmpFOp::create(b, loc, pred, x[0], x[1]);
  }
  // Booleans order false < true, so they compare unsigned.
  bool isBool = x[0].getType().isInteger(1);
  arith::CmpIPredicate pred;
  switch (dir) {
  case ComparisonDirection::EQ: pred = arith::CmpIPredicate::eq; break;
  case ComparisonDirection::NE: pred = arith::CmpIPredicate::ne; break;
  case ComparisonDirection::LT:
    pred = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case ComparisonDirection::LE:
    pred = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case ComparisonDirection::GT:
    pred = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case ComparisonDirection::GE:
    pred = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return arith::CmpIOp::create(b, loc, pred, x[0], x[1]);
}

Value scalarRule(SelectOp, OpBuilder &b, Location loc, ValueRange x) {
  return arith::SelectOp::create(b, loc, x[0], x[1], x[2]);
}

Value scalarRule(ConvertOp op, OpBuilder &b, Location loc, ValueRange x) {
  return convertScalar(b, loc, x[0], getElementTypeOrSelf(op.getType()));
}

/// select, convert and bitcast_convert handle every element type themselves;
/// the arithmetic ops compute f16/bf16 in f32.
template <typename OpTy>
constexpr bool kWidensHalf =
    !std::is_same_v<OpTy, SelectOp> && !std::is_same_v<OpTy, ConvertOp> &&
    !std::is_same_v<OpTy, BitcastConvertOp>;

/// Lowers an elementwise op to a parallel linalg.generic over its scalar rule.
template <typename OpTy>
struct ElementwiseToGeneric : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto logicalType = cast<RankedTensorType>(op.getType());
    Type resultElement = logicalType.getElementType();
    RankedTensorType resultType = storageType(logicalType);
    SmallVector<Type> operandElements = llvm::map_to_vector(
        op->getOperandTypes(), [](Type t) { return getElementTypeOrSelf(t); });
    Location loc = op.getLoc();
    int64_t rank = resultType.getRank();
    ValueRange inputs = adaptor.getOperands();
    SmallVector<AffineMap> maps(inputs.size() + 1,
                                rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, inputs,
        ValueRange{emptyTensor(rewriter, loc, resultType,
                               dynamicSizesOf(rewriter, loc, resultType,
                                              inputs.front()))},
        maps, iterators,
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          SmallVector<Value> scalars;
          for (auto [arg, element] : llvm::zip(args.drop_back(), operandElements))
            scalars.push_back(toLogical(b, nloc, arg, element));
          if constexpr (kWidensHalf<OpTy>)
            for (Value &s : scalars)
              s = upcastHalf(b, nloc, s);
          Value result = scalarRule(op, b, nloc, scalars);
          if (result.getType() != resultElement)
            result = convertScalar(b, nloc, result, resultElement);
          linalg::YieldOp::create(b, nloc, toStorage(b, nloc, result));
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

/// Threefry-2x32 with 20 rounds (Random123), as one parallel generic with
/// two results: five groups of four mix rounds (add, rotate left, xor),
/// each followed by a key injection.
struct Threefry2x32ToGeneric : OpConversionPattern<Threefry2x32Op> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Threefry2x32Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getX0().getType());
    int64_t rank = type.getRank();
    Location loc = op.getLoc();
    SmallVector<AffineMap> maps(6, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type, type}, adaptor.getOperands(),
        ValueRange{emptyTensor(rewriter, loc, type), emptyTensor(rewriter, loc, type)},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          auto constant = [&](uint32_t v) -> Value {
            return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(int32_t(v)));
          };
          auto add = [&](Value x, Value y) -> Value { return arith::AddIOp::create(b, l, x, y); };
          auto rotateLeft = [&](Value v, uint32_t r) -> Value {
            return arith::OrIOp::create(b, l, arith::ShLIOp::create(b, l, v, constant(r)),
                                        arith::ShRUIOp::create(b, l, v, constant(32 - r)));
          };
          Value keys[3] = {args[0], args[1],
                           arith::XOrIOp::create(
                               b, l, arith::XOrIOp::create(b, l, args[0], args[1]),
                               constant(0x1BD11BDA))};
          static const uint32_t rotations[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
          Value x0 = add(args[2], keys[0]), x1 = add(args[3], keys[1]);
          for (uint32_t group = 0; group < 5; ++group) {
            for (uint32_t r : rotations[group % 2]) {
              x0 = add(x0, x1);
              x1 = arith::XOrIOp::create(b, l, rotateLeft(x1, r), x0);
            }
            x0 = add(x0, keys[(group + 1) % 3]);
            x1 = add(add(x1, keys[(group + 2) % 3]), constant(group + 1));
          }
          linalg::YieldOp::create(b, l, ValueRange{x0, x1});
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanElementwiseToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<
      ElementwiseToGeneric<NegOp>, ElementwiseToGeneric<AbsOp>,
      ElementwiseToGeneric<ExpOp>, ElementwiseToGeneric<LogOp>,
      ElementwiseToGeneric<Log1pOp>, ElementwiseToGeneric<Expm1Op>,
      ElementwiseToGeneric<TanhOp>, ElementwiseToGeneric<ErfOp>,
      ElementwiseToGeneric<ErfcOp>, ElementwiseToGeneric<LogisticOp>,
      ElementwiseToGeneric<SqrtOp>, ElementwiseToGeneric<RsqrtOp>,
      ElementwiseToGeneric<SinOp>, ElementwiseToGeneric<CosOp>,
      ElementwiseToGeneric<FloorOp>, ElementwiseToGeneric<SignOp>,
      ElementwiseToGeneric<NotOp>, ElementwiseToGeneric<AddOp>,
      ElementwiseToGeneric<SubOp>, ElementwiseToGeneric<MulOp>,
      ElementwiseToGeneric<DivOp>, ElementwiseToGeneric<RemOp>,
      ElementwiseToGeneric<PowOp>, ElementwiseToGeneric<MaxOp>,
      ElementwiseToGeneric<MinOp>, ElementwiseToGeneric<Atan2Op>,
      ElementwiseToGeneric<AndOp>, ElementwiseToGeneric<OrOp>,
      ElementwiseToGeneric<XorOp>, ElementwiseToGeneric<ShiftLeftOp>,
      ElementwiseToGeneric<ShiftRightLogicalOp>,
      ElementwiseToGeneric<BitcastConvertOp>, Threefry2x32ToGeneric,
      ElementwiseToGeneric<CompareOp>, ElementwiseToGeneric<SelectOp>,
      ElementwiseToGeneric<ConvertOp>>(converter, patterns.getContext());
}
