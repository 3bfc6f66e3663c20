//===- CotanOps.td - cotan dialect ops ---------------------*- tablegen -*-===//
//
// One def per op, grouped by family in the order the Python `ops` module
// mirrors. Constraint labels such as `(slice_c1)` in verifier messages are
// reused by tests/lit/Dialect/invalid.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_IR_COTANOPS_TD
#define COTAN_IR_COTANOPS_TD

include "cotan/IR/CotanBase.td"
include "mlir/IR/SymbolInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Cotan_ConstantOp : Cotan_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor, Cotan_NoDerivative]> {
  let summary = "tensor constant";
  let description = [{
    Materializes a dense tensor constant. Example:
    `%c = cotan.constant dense<[1.0, 2.0]> : tensor<2xf32>`.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Cotan_StaticTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Cotan_IotaOp : Cotan_Op<"iota", [Pure, Cotan_NoDerivative]> {
  let summary = "values 0, 1, 2, ... along one dimension";
  let description = [{
    Fills the result with the index along `dimension`, converted to the
    result element type: `cotan.iota dim = 0 : tensor<4xf32>` is
    `[0, 1, 2, 3]`. Each `?` dimension of the result takes its size from
    one of `dynamic_sizes`, in order.
  }];
  let arguments = (ins I64Attr:$dimension, Variadic<Index>:$dynamic_sizes);
  let results = (outs Cotan_NumericTensor:$result);
  let assemblyFormat = [{
    (`[` $dynamic_sizes^ `]`)? `dim` `=` $dimension attr-dict `:` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "int64_t":$dimension), [{
      build($_builder, $_state, result, $_builder.getI64IntegerAttr(dimension),
            ::mlir::ValueRange{});
    }]>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

def Cotan_NegOp : Cotan_UnaryElementwiseOp<"neg", Cotan_NumericTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise negation";
  let hasFolder = 1;
}
def Cotan_AbsOp : Cotan_UnaryElementwiseOp<"abs", Cotan_NumericTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise absolute value";
}
def Cotan_ExpOp : Cotan_SmoothUnaryOp<"exp"> {
  let summary = "elementwise e^x";
}
def Cotan_LogOp : Cotan_SmoothUnaryOp<"log"> {
  let summary = "elementwise natural logarithm";
}
def Cotan_Log1pOp : Cotan_SmoothUnaryOp<"log1p"> {
  let summary = "elementwise log(1 + x), accurate near zero";
}
def Cotan_Expm1Op : Cotan_SmoothUnaryOp<"expm1"> {
  let summary = "elementwise e^x - 1, accurate near zero";
}
def Cotan_TanhOp : Cotan_SmoothUnaryOp<"tanh"> {
  let summary = "elementwise hyperbolic tangent";
}
def Cotan_LogisticOp : Cotan_SmoothUnaryOp<"logistic"> {
  let summary = "elementwise 1 / (1 + e^-x)";
}
def Cotan_ErfOp : Cotan_SmoothUnaryOp<"erf"> {
  let summary = "elementwise error function 2/sqrt(pi) * integral_0^x e^-t^2 dt";
}
def Cotan_ErfcOp : Cotan_SmoothUnaryOp<"erfc"> {
  let summary = "elementwise 1 - erf(x), accurate where erf(x) is near 1";
}
def Cotan_SqrtOp : Cotan_SmoothUnaryOp<"sqrt"> {
  let summary = "elementwise square root";
}
def Cotan_RsqrtOp : Cotan_SmoothUnaryOp<"rsqrt"> {
  let summary = "elementwise 1 / sqrt(x)";
}
def Cotan_SinOp : Cotan_SmoothUnaryOp<"sin"> {
  let summary = "elementwise sine";
}
def Cotan_CosOp : Cotan_SmoothUnaryOp<"cos"> {
  let summary = "elementwise cosine";
}
def Cotan_FloorOp : Cotan_UnaryElementwiseOp<"floor", Cotan_FloatTensor,
    [Cotan_NoDerivative]> {
  let summary = "elementwise round towards -inf";
}
def Cotan_SignOp : Cotan_UnaryElementwiseOp<"sign", Cotan_NumericTensor,
    [Cotan_NoDerivative]> {
  let summary = "elementwise -1, 0 or 1 (NaN stays NaN)";
}
def Cotan_StopGradientOp : Cotan_UnaryElementwiseOp<"stop_gradient", Cotan_Tensor,
    [Cotan_NoDerivative]> {
  let summary = "identity whose derivative is zero";
  let description = [{
    Returns its operand; derivatives do not flow through it. It has no
    folder, so it survives until convert-cotan-to-linalg, after the
    autodiff passes have seen it.
  }];
}
def Cotan_NotOp : Cotan_UnaryElementwiseOp<"not", Cotan_IntOrBoolTensor,
    [Cotan_NoDerivative]> {
  let summary = "logical not of booleans, bitwise not of integers";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

def Cotan_AddOp : Cotan_BinaryElementwiseOp<"add", Cotan_NumericTensor,
    [Commutative, Cotan_Derivative]> {
  let summary = "elementwise addition";
  let hasFolder = 1;
}
def Cotan_SubOp : Cotan_BinaryElementwiseOp<"sub", Cotan_NumericTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise subtraction";
  let hasFolder = 1;
}
def Cotan_MulOp : Cotan_BinaryElementwiseOp<"mul", Cotan_NumericTensor,
    [Commutative, Cotan_Derivative]> {
  let summary = "elementwise multiplication";
  let hasFolder = 1;
}
def Cotan_DivOp : Cotan_BinaryElementwiseOp<"div", Cotan_NumericTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise division (integers: truncating, C semantics)";
  let hasFolder = 1;
}
def Cotan_RemOp : Cotan_BinaryElementwiseOp<"rem", Cotan_NumericTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise remainder with the sign of the dividend (C fmod)";
}
def Cotan_PowOp : Cotan_BinaryElementwiseOp<"pow", Cotan_NumericTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise lhs ^ rhs";
}
def Cotan_MaxOp : Cotan_BinaryElementwiseOp<"max", Cotan_NumericTensor,
    [Commutative, Cotan_Derivative]> {
  let summary = "elementwise maximum (NaN-propagating)";
  let hasFolder = 1;
}
def Cotan_MinOp : Cotan_BinaryElementwiseOp<"min", Cotan_NumericTensor,
    [Commutative, Cotan_Derivative]> {
  let summary = "elementwise minimum (NaN-propagating)";
  let hasFolder = 1;
}
def Cotan_Atan2Op : Cotan_BinaryElementwiseOp<"atan2", Cotan_FloatTensor,
    [Cotan_Derivative]> {
  let summary = "elementwise atan2(lhs, rhs)";
}
def Cotan_AndOp : Cotan_BinaryElementwiseOp<"and", Cotan_IntOrBoolTensor,
    [Commutative, Cotan_NoDerivative]> {
  let summary = "logical and of booleans, bitwise and of integers";
}
def Cotan_OrOp : Cotan_BinaryElementwiseOp<"or", Cotan_IntOrBoolTensor,
    [Commutative, Cotan_NoDerivative]> {
  let summary = "logical or of booleans, bitwise or of integers";
}

def Cotan_XorOp : Cotan_BinaryElementwiseOp<"xor", Cotan_IntOrBoolTensor,
    [Commutative, Cotan_NoDerivative]> {
  let summary = "logical exclusive or of booleans, bitwise xor of integers";
}
def Cotan_ShiftLeftOp : Cotan_BinaryElementwiseOp<"shift_left", Cotan_IntTensor,
    [Cotan_NoDerivative]> {
  let summary = "lhs << rhs; a shift by the bit width or more (or a negative one) gives 0";
}
def Cotan_ShiftRightLogicalOp : Cotan_BinaryElementwiseOp<"shift_right_logical",
    Cotan_IntTensor, [Cotan_NoDerivative]> {
  let summary = "lhs >> rhs filling with zeros; a shift by the bit width or more gives 0";
}

def Cotan_BitcastConvertOp : Cotan_Op<"bitcast_convert", [Pure, Elementwise,
    AllShapesMatch<["operand", "result"]>, Cotan_NoDerivative, Cotan_Batchable]> {
  let summary = "reinterpret each element's bits as another type of the same width";
  let description = [{
    `lax.bitcast_convert_type` for same-width types: i32 <-> f32 and
    i64 <-> f64 (how random bits become floats).
  }];
  let arguments = (ins Cotan_StaticTensor:$operand);
  let results = (outs Cotan_StaticTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Cotan_Threefry2x32Op : Cotan_Op<"threefry2x32", [Pure, Elementwise,
    SameOperandsAndResultType, Cotan_NoDerivative, Cotan_Batchable]> {
  let summary = "the Threefry-2x32 block cipher (20 rounds), elementwise";
  let description = [{
    Encrypts each counter pair (`x0`, `x1`) under the key (`key0`, `key1`)
    with Random123's Threefry-2x32, 20 rounds: the counter-based generator
    behind JAX's default PRNG, so the same key and counters give the same
    bits. Elements are 32-bit words held in i32 (the bits of JAX's
    uint32); the keys come broadcast to the counters' shape.

    ```mlir
    %y0, %y1 = cotan.threefry2x32 %k0, %k1, %x0, %x1 : tensor<8xi32>
    ```
  }];
  let arguments = (ins TensorOf<[I32]>:$key0, TensorOf<[I32]>:$key1,
                       TensorOf<[I32]>:$x0, TensorOf<[I32]>:$x1);
  let results = (outs TensorOf<[I32]>:$y0, TensorOf<[I32]>:$y1);
  let assemblyFormat = "$key0 `,` $key1 `,` $x0 `,` $x1 attr-dict `:` type($x0)";
}

def Cotan_CompareOp : Cotan_Op<"compare",
    [Pure, Elementwise, SameTypeOperands, InferTypeOpAdaptor,
     Cotan_NoDerivative, Cotan_Batchable]> {
  let summary = "elementwise comparison producing booleans";
  let description = [{
    Compares `lhs` and `rhs` elementwise. Floats compare ordered (any
    comparison with NaN is false, except `ne` which is true); integers
    compare signed. The result is an i1 tensor of the operands' shape.
  }];
  let arguments = (ins Cotan_ComparisonDirection:$direction,
                       Cotan_Tensor:$lhs, Cotan_Tensor:$rhs);
  let results = (outs Cotan_BoolTensor:$result);
  let assemblyFormat = [{
    $direction `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)
  }];
}

def Cotan_SelectOp : Cotan_Op<"select", [Pure, Elementwise,
    AllTypesMatch<["on_true", "on_false"]>, InferTypeOpAdaptor,
    Cotan_Derivative, Cotan_Batchable]> {
  let summary = "elementwise choice: pred ? on_true : on_false";
  let arguments = (ins Cotan_BoolTensor:$pred, Cotan_Tensor:$on_true,
                       Cotan_Tensor:$on_false);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $pred `,` $on_true `,` $on_false attr-dict `:` type($pred) `,` type($on_true)
  }];
  let hasFolder = 1;
}

def Cotan_ConvertOp : Cotan_Op<"convert", [Pure, Elementwise,
    AllShapesMatch<["operand", "result"]>, Cotan_Derivative, Cotan_Batchable]> {
  let summary = "elementwise element type conversion";
  let description = [{
    Converts each element to the result element type. Float to integer
    truncates towards zero; anything to i1 is `x != 0`; i1 to a number is
    0 or 1.
  }];
  let arguments = (ins Cotan_Tensor:$operand);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def Cotan_BroadcastInDimOp : Cotan_Op<"broadcast_in_dim", [Pure, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "broadcast to a larger shape";
  let description = [{
    Operand dimension `i` becomes result dimension `broadcast_dimensions[i]`;
    it must have the result's size there or size 1 (then it is repeated).
    Result dimensions not named are new. Each `?` dimension of the result
    takes its size from one of `dynamic_sizes`, in order; a `?` operand
    dimension is never repeated, so it maps to a `?` result dimension.
  }];
  let arguments = (ins Cotan_Tensor:$operand,
                       DenseI64ArrayAttr:$broadcast_dimensions,
                       Variadic<Index>:$dynamic_sizes);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand (`[` $dynamic_sizes^ `]`)? `dims` `=` $broadcast_dimensions attr-dict `:` type($operand) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$operand,
                   "::llvm::ArrayRef<int64_t>":$broadcast_dimensions), [{
      build($_builder, $_state, result, operand, broadcast_dimensions,
            ::mlir::ValueRange{});
    }]>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cotan_ReshapeOp : Cotan_Op<"reshape", [Pure, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "reshape in row-major order";
  let description = [{
    The result has the operand's elements in row-major order. Each `?`
    dimension of the result takes its size from one of `dynamic_sizes`, in
    order; the element counts must agree (checked where both are static).
  }];
  let arguments = (ins Cotan_Tensor:$operand, Variadic<Index>:$dynamic_sizes);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand (`[` $dynamic_sizes^ `]`)? attr-dict `:` type($operand) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$operand), [{
      build($_builder, $_state, result, operand, ::mlir::ValueRange{});
    }]>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cotan_TransposeOp : Cotan_Op<"transpose", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is operand dimension `permutation[i]`.
  }];
  let arguments = (ins Cotan_Tensor:$operand, DenseI64ArrayAttr:$permutation);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand `perm` `=` $permutation attr-dict `:` type($operand) `->` type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Cotan_SliceOp : Cotan_Op<"slice", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "static strided slice";
  let description = [{
    Takes elements `start[i], start[i] + strides[i], ...` below `limit[i]`
    in every dimension, with `0 <= start <= limit <= size` and strides > 0.
    In a dynamic (`?`) dimension, whose size is only known at run time,
    the stride is 1 and the limit counts from the end: -1 is the end and
    -1 - e stops `e` elements before it (`x[1:]` is start 1, limit -1;
    `x[:-1]` start 0, limit -2); the dimension must have at least
    `start + e` elements at run time.
  }];
  let arguments = (ins Cotan_Tensor:$operand,
                       DenseI64ArrayAttr:$start_indices,
                       DenseI64ArrayAttr:$limit_indices,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand `start` `=` $start_indices `limit` `=` $limit_indices `strides` `=` $strides attr-dict `:` type($operand) `->` type($result)
  }];
  let hasFolder = 1;
}

def Cotan_ConcatenateOp : Cotan_Op<"concatenate", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "join tensors along a dimension";
  let description = [{
    Inputs agree in every dimension but `dimension`, which must be static;
    the others may be dynamic (`?`) in all inputs alike.
  }];
  let arguments = (ins Variadic<Cotan_Tensor>:$inputs, I64Attr:$dimension);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $inputs `dim` `=` $dimension attr-dict `:` functional-type($inputs, $result)
  }];
  let hasFolder = 1;
}

def Cotan_PadOp : Cotan_Op<"pad", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "pad with a scalar at the edges and between elements";
  let description = [{
    Dimension `i` of the result has `low[i]` padding elements, then the
    operand's elements with `interior[i]` padding elements between each
    pair, then `high[i]` padding elements. All amounts are non-negative;
    a dynamic (`?`) dimension has no interior padding.
  }];
  let arguments = (ins Cotan_Tensor:$operand, Cotan_Tensor:$padding_value,
                       DenseI64ArrayAttr:$edge_padding_low,
                       DenseI64ArrayAttr:$edge_padding_high,
                       DenseI64ArrayAttr:$interior_padding);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand `,` $padding_value `low` `=` $edge_padding_low `high` `=` $edge_padding_high `interior` `=` $interior_padding attr-dict `:` functional-type(operands, $result)
  }];
  let hasFolder = 1;
}

def Cotan_ReverseOp : Cotan_Op<"reverse", [Pure, SameOperandsAndResultType, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "reverse the order of elements along dimensions";
  let description = [{
    The reversed `dimensions` are static; the others may be dynamic.
  }];
  let arguments = (ins Cotan_Tensor:$operand, DenseI64ArrayAttr:$dimensions);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand `dims` `=` $dimensions attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cotan_TakeOp : Cotan_Op<"take", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "gather slices along one axis with an integer index array";
  let description = [{
    NumPy's `take(operand, indices, axis)`: the result shape is
    `operand.shape[:axis] + indices.shape + operand.shape[axis+1:]`.
    Indices are clamped to `[0, size - 1]`, so out-of-range indices never
    read out of bounds (the front end wraps negative indices first).
    Covers `x[idx]` with integer arrays and embedding lookups. Any
    dimension but `axis` may be dynamic (`?`).
  }];
  let arguments = (ins Cotan_Tensor:$operand, Cotan_IntTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Cotan_Tensor:$result);
  let assemblyFormat = [{
    $operand `[` $indices `]` `axis` `=` $axis attr-dict `:` functional-type(operands, $result)
  }];
}

def Cotan_DynamicSliceOp : Cotan_Op<"dynamic_slice",
    [Pure, InferTypeOpAdaptor, Cotan_Derivative, Cotan_BatchRule]> {
  let summary = "slice of static size at run-time start indices";
  let description = [{
    Start indices are 0-d integer tensors, one per dimension, clamped to
    `[0, size - slice_size]` so the slice always lies inside the operand.
  }];
  let arguments = (ins Cotan_StaticTensor:$operand,
                       Variadic<Cotan_IndexScalar>:$start_indices,
                       DenseI64ArrayAttr:$slice_sizes);
  let results = (outs Cotan_StaticTensor:$result);
  let assemblyFormat = [{
    $operand `[` $start_indices `]` `sizes` `=` $slice_sizes attr-dict `:` functional-type(operands, $result)
  }];
}

def Cotan_DynamicUpdateSliceOp : Cotan_Op<"dynamic_update_slice",
    [Pure, InferTypeOpAdaptor, Cotan_Derivative, Cotan_BatchRule]> {
  let summary = "overwrite a slice at run-time start indices";
  let description = [{
    Returns `operand` with the block starting at `start_indices` replaced by
    `update`. Start indices are clamped like `cotan.dynamic_slice`.
  }];
  let arguments = (ins Cotan_StaticTensor:$operand, Cotan_StaticTensor:$update,
                       Variadic<Cotan_IndexScalar>:$start_indices);
  let results = (outs Cotan_StaticTensor:$result);
  let assemblyFormat = [{
    $operand `[` $start_indices `]` `,` $update attr-dict `:` functional-type(operands, $result)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

def Cotan_ReduceSumOp : Cotan_ReduceOp<"reduce_sum", Cotan_NumericTensor, "+">;
def Cotan_ReduceProdOp : Cotan_ReduceOp<"reduce_prod", Cotan_NumericTensor, "*">;
def Cotan_ReduceMaxOp : Cotan_ReduceOp<"reduce_max", Cotan_Tensor,
                                       "max (logical or for i1)">;
def Cotan_ReduceMinOp : Cotan_ReduceOp<"reduce_min", Cotan_Tensor,
                                       "min (logical and for i1)">;

def Cotan_ArgMaxOp : Cotan_ArgReduceOp<"argmax", "largest">;
def Cotan_ArgMinOp : Cotan_ArgReduceOp<"argmin", "smallest">;

def Cotan_SortOp : Cotan_Op<"sort", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "stable sort of several same-shaped tensors along one dimension";
  let description = [{
    Sorts every line along `dimension` of the `inputs` by the first
    `num_keys` of them, compared lexicographically, and applies the same
    permutation to the others (payloads). The sort is stable: equal keys
    keep their order. Floats ascend with NaN last (NumPy's order, -0 and
    +0 equal); integers compare signed; `descending` reverses the key
    order (NaN first), still stable.

    ```mlir
    %keys, %perm = cotan.sort %x, %iota dim = 0 keys = 1 : tensor<8xf32>, tensor<8xi32>
    ```

    The derivative permutes tangents like the payloads; the cotangents go
    back through the inverse permutation (a sort by the sorted indices).
  }];
  let arguments = (ins Variadic<Cotan_StaticTensor>:$inputs, I64Attr:$dimension,
                       I64Attr:$num_keys, UnitAttr:$descending);
  let results = (outs Variadic<Cotan_StaticTensor>:$results);
  let assemblyFormat = [{
    $inputs `dim` `=` $dimension `keys` `=` $num_keys (`descending` $descending^)? attr-dict `:` type($inputs)
  }];
  let hasVerifier = 1;
}

def Cotan_ReduceWindowOp : Cotan_Op<"reduce_window", [Pure, InferTypeOpAdaptor,
    Cotan_Derivative, Cotan_BatchRule]> {
  let summary = "reduce sliding windows (pooling)";
  let description = [{
    Combines each window of `window_dimensions` elements with `kind` (sum,
    max or min), the window moving by `window_strides` over the operand
    padded by `padding_low`/`padding_high` with the reduction's identity (0
    for sum, -inf/+inf or the extreme integers for max/min). Every
    dimension has a window entry (1 where nothing is pooled, such as batch
    and channels). Result dimension i is
    `(size + low + high - window) / stride + 1`. A dynamic (`?`) dimension
    takes window 1, stride 1 and no padding, and stays as it is.

    The derivative of max/min goes to the first extreme element of each
    window (in row-major window order), as a deterministic tie rule.
  }];
  let arguments = (ins Cotan_NumericTensor:$operand, Cotan_WindowReduction:$kind,
                       DenseI64ArrayAttr:$window_dimensions,
                       DenseI64ArrayAttr:$window_strides,
                       DenseI64ArrayAttr:$padding_low,
                       DenseI64ArrayAttr:$padding_high);
  let results = (outs Cotan_NumericTensor:$result);
  let assemblyFormat = [{
    $kind $operand `window` `=` $window_dimensions `strides` `=` $window_strides `pad` `=` `(` $padding_low `,` $padding_high `)` attr-dict `:` type($operand) `->` type($result)
  }];
  let extraClassDeclaration = [{
    /// The reduction's identity as a 0-d constant (the padding value).
    ::mlir::Value identity(::mlir::OpBuilder &builder, ::mlir::Location loc);
    /// One strided slice of `operand` (shaped like the operand), padded
    /// with `padding`, per window offset in row-major order: each has the
    /// result's shape, and combining them elementwise gives the result.
    ::llvm::SmallVector<::mlir::Value> windowSlices(::mlir::OpBuilder &builder,
        ::mlir::Value operand, ::mlir::Value padding);
  }];
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Cotan_DotGeneralOp : Cotan_Op<"dot_general", [Pure, InferTypeOpAdaptor, Cotan_Derivative,
    Cotan_BatchRule]> {
  let summary = "generalized matrix product";
  let description = [{
    Contracts `lhs` and `rhs` over the paired contracting dimensions and
    batches over the paired batching dimensions. The result dimensions are
    the batch dimensions, then the free dimensions of `lhs`, then those of
    `rhs`, each in order. Covers matmul, batched matmul, matrix-vector and
    einsum-style contractions. Operands share one numeric element type.
  }];
  let arguments = (ins Cotan_NumericTensor:$lhs, Cotan_NumericTensor:$rhs,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$lhs_batching_dimensions,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$rhs_batching_dimensions,
      DenseI64ArrayAttr:$lhs_contracting_dimensions,
      DenseI64ArrayAttr:$rhs_contracting_dimensions);
  let results = (outs Cotan_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, $result)
  }];
}

def Cotan_ConvolutionOp : Cotan_Op<"convolution", [Pure, InferTypeOpAdaptor,
    Cotan_Derivative, Cotan_BatchRule]> {
  let summary = "N-d convolution with strides, padding, dilations and groups";
  let description = [{
    `lhs` is `[N, C, spatial...]`, `rhs` (the filters) `[O, C / G,
    window...]` and the result `[N, O, out...]`, G = `feature_group_count`
    (output features `[g * O/G, (g+1) * O/G)` see input features
    `[g * C/G, (g+1) * C/G)`; G = C is depthwise). The front end transposes
    other layouts (NHWC/HWIO) into this one. Per spatial dimension i: the
    input is dilated by `lhs_dilation[i]` (zeros between elements), padded
    by `padding_low[i]`/`padding_high[i]` (negative values crop), and the
    window, dilated by `rhs_dilation[i]`, moves by `window_strides[i]`:

      out[i] = (dilated_in + low + high - dilated_window) / stride + 1

    with dilated sizes `(size - 1) * dilation + 1`. This is XLA's
    convolution (cross-correlation: the window is not flipped).

    N may be dynamic (`?`: a symbolic batch), and so may C together with
    the filters' C / G when G = 1 (the filter gradient contracts over the
    batch); the spatial sizes and O are static.
  }];
  let arguments = (ins Cotan_NumericTensor:$lhs, Cotan_NumericTensor:$rhs,
                       DenseI64ArrayAttr:$window_strides,
                       DenseI64ArrayAttr:$padding_low,
                       DenseI64ArrayAttr:$padding_high,
                       DenseI64ArrayAttr:$lhs_dilation,
                       DenseI64ArrayAttr:$rhs_dilation,
                       I64Attr:$feature_group_count);
  let results = (outs Cotan_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `strides` `=` $window_strides `pad` `=` `(` $padding_low `,` $padding_high `)` `lhs_dilation` `=` $lhs_dilation `rhs_dilation` `=` $rhs_dilation `groups` `=` $feature_group_count attr-dict `:` functional-type(operands, $result)
  }];
}

//===----------------------------------------------------------------------===//
// Collectives
//
// SPMD: every process runs the same program on its own data. The processes
// form a row-major `mesh` (process p has the multi-index of p in it), and a
// collective communicates within the group of processes that differ only
// along `axes`; a process's position in its group is the linearized index
// of its coordinates along `axes`, in the order given. Every process of a
// group must execute the same collectives in the same order.
//===----------------------------------------------------------------------===//

class Cotan_CollectiveOp<string mnemonic, list<Trait> traits = []>
    : Cotan_Op<mnemonic, traits # [Pure, Cotan_Derivative, Cotan_BatchRule]> {
  let extraClassDeclaration = [{
    /// The number of processes in each group.
    int64_t getGroupSize();
  }];
  let hasVerifier = 1;
  // A group of one process communicates nothing: the op is its operand.
  let hasFolder = 1;
}

def Cotan_AllReduceOp : Cotan_CollectiveOp<"all_reduce",
    [SameOperandsAndResultType]> {
  let summary = "combine a tensor across a group of processes";
  let description = [{
    Every process of a group gets the elementwise sum (max, min) of the
    operands of all the group's processes.

    ```mlir
    %s = cotan.all_reduce sum %x mesh = [4] axes = [0] : tensor<3xf32>
    ```

    The derivative of a sum is the sum of the (co)tangents; of max and min,
    the (co)tangents of the processes that hold the extremum, split evenly
    between ties.
  }];
  let arguments = (ins Cotan_CollectiveReduction:$reduction,
                       Cotan_CollectiveTensor:$operand,
                       DenseI64ArrayAttr:$mesh, DenseI64ArrayAttr:$axes);
  let results = (outs Cotan_CollectiveTensor:$result);
  let assemblyFormat = [{
    $reduction $operand `mesh` `=` $mesh `axes` `=` $axes attr-dict `:` type($result)
  }];
}

def Cotan_AllGatherOp : Cotan_CollectiveOp<"all_gather", [InferTypeOpAdaptor]> {
  let summary = "concatenate the operands of a group along a dimension";
  let description = [{
    Every process gets the group's operands concatenated along `dimension`
    in group order. The derivative gathers tangents; cotangents are summed
    over the group and scattered back (a `reduce_scatter`).

    ```mlir
    %g = cotan.all_gather %x dim = 0 mesh = [2] axes = [0] : tensor<3x4xf32> -> tensor<6x4xf32>
    ```
  }];
  let arguments = (ins Cotan_CollectiveTensor:$operand, I64Attr:$dimension,
                       DenseI64ArrayAttr:$mesh, DenseI64ArrayAttr:$axes);
  let results = (outs Cotan_CollectiveTensor:$result);
  let assemblyFormat = [{
    $operand `dim` `=` $dimension `mesh` `=` $mesh `axes` `=` $axes attr-dict `:` type($operand) `->` type($result)
  }];
}

def Cotan_ReduceScatterOp : Cotan_CollectiveOp<"reduce_scatter", [InferTypeOpAdaptor]> {
  let summary = "sum across a group, each process keeping one block";
  let description = [{
    Sums the group's operands and splits the sum along `dimension` into one
    block per process: the process at group position k gets block k. The
    transpose of `all_gather`.

    ```mlir
    %b = cotan.reduce_scatter %x dim = 0 mesh = [2] axes = [0] : tensor<6x4xf32> -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Cotan_CollectiveTensor:$operand, I64Attr:$dimension,
                       DenseI64ArrayAttr:$mesh, DenseI64ArrayAttr:$axes);
  let results = (outs Cotan_CollectiveTensor:$result);
  let assemblyFormat = [{
    $operand `dim` `=` $dimension `mesh` `=` $mesh `axes` `=` $axes attr-dict `:` type($operand) `->` type($result)
  }];
}

def Cotan_AllToAllOp : Cotan_CollectiveOp<"all_to_all", [InferTypeOpAdaptor]> {
  let summary = "exchange blocks between every pair of a group";
  let description = [{
    Splits the operand along `split_dimension` into one block per process,
    sends block j to the process at group position j, and concatenates the
    blocks received along `concat_dimension` in group order. Its transpose
    is the all-to-all with the two dimensions swapped.

    ```mlir
    %y = cotan.all_to_all %x split = 0 concat = 1 mesh = [2] axes = [0] : tensor<4x3xf32> -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins Cotan_CollectiveTensor:$operand, I64Attr:$split_dimension,
                       I64Attr:$concat_dimension,
                       DenseI64ArrayAttr:$mesh, DenseI64ArrayAttr:$axes);
  let results = (outs Cotan_CollectiveTensor:$result);
  let assemblyFormat = [{
    $operand `split` `=` $split_dimension `concat` `=` $concat_dimension `mesh` `=` $mesh `axes` `=` $axes attr-dict `:` type($operand) `->` type($result)
  }];
}

def Cotan_CollectiveBroadcastOp : Cotan_CollectiveOp<"collective_broadcast",
    [SameOperandsAndResultType]> {
  let summary = "every process of a group gets the root's operand";
  let description = [{
    The process at group position `root` sends its operand to the others.
    Cotangents are summed over the group onto the root (zero elsewhere).

    ```mlir
    %y = cotan.collective_broadcast %x root = 0 mesh = [4] axes = [0] : tensor<3xf32>
    ```
  }];
  let arguments = (ins Cotan_CollectiveTensor:$operand, I64Attr:$root,
                       DenseI64ArrayAttr:$mesh, DenseI64ArrayAttr:$axes);
  let results = (outs Cotan_CollectiveTensor:$result);
  let assemblyFormat = [{
    $operand `root` `=` $root `mesh` `=` $mesh `axes` `=` $axes attr-dict `:` type($result)
  }];
}

def Cotan_AxisIndexOp : Cotan_Op<"axis_index", [Pure, Cotan_NoDerivative]> {
  let summary = "this process's position in its group";
  let description = [{
    The linearized coordinates of this process along `axes` of the `mesh`
    (0 to the group size - 1), as a 0-d i32 tensor.

    ```mlir
    %i = cotan.axis_index mesh = [2, 2] axes = [1] : tensor<i32>
    ```
  }];
  let arguments = (ins DenseI64ArrayAttr:$mesh, DenseI64ArrayAttr:$axes);
  let results = (outs 0DTensorOf<[I32]>:$result);
  let assemblyFormat = "`mesh` `=` $mesh `axes` `=` $axes attr-dict `:` type($result)";
  let extraClassDeclaration = [{
    int64_t getGroupSize();
  }];
  let hasVerifier = 1;
  // In a group of one process, the position is 0.
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Structured control flow
//
// Regions are isolated from above: everything a branch or body reads is an
// operand, as in a closed jaxpr. That keeps the derivative and batching
// rules local: a region is a function of its block arguments.
//===----------------------------------------------------------------------===//

def Cotan_YieldOp : Cotan_Op<"yield", [Pure, Terminator,
    ParentOneOf<["SwitchOp", "WhileOp", "ScanOp"]>]> {
  let summary = "the values a control-flow region produces";
  let arguments = (ins Variadic<Cotan_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

class Cotan_ControlFlowOp<string mnemonic, list<Trait> traits = []>
    : Cotan_Op<mnemonic, traits # [RecursiveMemoryEffects, IsolatedFromAbove,
                                   SingleBlock]> {
  let hasVerifier = 1;
}

def Cotan_SwitchOp : Cotan_ControlFlowOp<"switch"> {
  let summary = "run one of several branches, chosen by an index";
  let description = [{
    Runs branch `index` on `inputs` and returns what it yields; an index
    below 0 selects the first branch and one past the end the last (JAX's
    `switch` clamps the same way). Every branch takes all inputs as block
    arguments and yields the result types. `lax.cond` is a two-branch
    switch on the predicate converted to i32 (false first). A `?` result
    dimension has the size of what the chosen branch yields.

    ```mlir
    %r = cotan.switch %i (%x) : tensor<i32>, (tensor<3xf32>) -> tensor<3xf32> {
    ^bb0(%a: tensor<3xf32>):
      %n = cotan.neg %a : tensor<3xf32>
      cotan.yield %n : tensor<3xf32>
    }, {
    ^bb0(%a: tensor<3xf32>):
      cotan.yield %a : tensor<3xf32>
    }
    ```
  }];
  let arguments = (ins 0DTensorOf<[I32]>:$index,
                       Variadic<Cotan_Tensor>:$inputs);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let regions = (region VariadicRegion<SizedRegion<1>>:$branches);
  let assemblyFormat = [{
    $index ` ` `(` $inputs `)` attr-dict `:` type($index) `,` functional-type($inputs, results) $branches
  }];
}

def Cotan_WhileOp : Cotan_ControlFlowOp<"while", [AttrSizedOperandSegments]> {
  let summary = "loop while a predicate of the carried values holds";
  let description = [{
    Starts from `init`; while `cond` yields true (a `tensor<i1>`), `body`
    maps the carried values to their next values. Both regions take the
    carried values followed by `consts` (loop invariants). The results are
    the carried values when `cond` first yields false. A `?` dimension of
    a carried value has the size of the value carried.

    ```mlir
    %r = cotan.while (%x0) consts (%c) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    cond {
    ^bb0(%x: tensor<f32>, %k: tensor<f32>):
      %p = cotan.compare lt, %x, %k : tensor<f32> -> tensor<i1>
      cotan.yield %p : tensor<i1>
    } do {
    ^bb0(%x: tensor<f32>, %k: tensor<f32>):
      %y = cotan.add %x, %x : tensor<f32>
      cotan.yield %y : tensor<f32>
    }
    ```
  }];
  let arguments = (ins Variadic<Cotan_Tensor>:$init,
                       Variadic<Cotan_Tensor>:$consts);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let regions = (region SizedRegion<1>:$cond, SizedRegion<1>:$body);
  let assemblyFormat = [{
    ` ` `(` $init `)` `consts` ` ` `(` $consts `)` attr-dict `:` functional-type(operands, results) `cond` $cond `do` $body
  }];
}

def Cotan_ScanOp : Cotan_ControlFlowOp<"scan", [AttrSizedOperandSegments]> {
  let summary = "loop a fixed number of steps over a carry and stacked inputs";
  let description = [{
    Runs `body` `length` times. Step `i` takes the carried values, slice `i`
    of each of `xs` (along their leading dimension, of size `length`), then
    `consts`; it yields the next carried values followed by one slice per
    stacked output. The results are the final carried values followed by
    the stacked outputs (leading dimension `length`). With `reverse`, steps
    run from `length - 1` down to 0 and slice `i` is still written to
    position `i`. `fori_loop` with a static trip count is a scan without
    `xs`.

    ```mlir
    %c, %ys = cotan.scan length = 4 (%c0) xs (%xs) consts () : (tensor<f32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>) {
    ^bb0(%c: tensor<f32>, %x: tensor<f32>):
      %s = cotan.add %c, %x : tensor<f32>
      cotan.yield %s, %s : tensor<f32>, tensor<f32>
    }
    ```
  }];
  let arguments = (ins I64Attr:$length, UnitAttr:$reverse,
                       Variadic<Cotan_Tensor>:$init,
                       Variadic<Cotan_Tensor>:$xs,
                       Variadic<Cotan_Tensor>:$consts);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `length` `=` $length (`reverse` $reverse^)? ` ` `(` $init `)` `xs` ` ` `(` $xs `)` `consts` ` ` `(` $consts `)` attr-dict `:` functional-type(operands, results) $body
  }];
  let extraClassDeclaration = [{
    /// The final carried values.
    ::mlir::ValueRange getCarryResults() {
      return getResults().take_front(getInit().size());
    }
    /// The stacked per-step outputs.
    ::mlir::ValueRange getStackedResults() {
      return getResults().drop_front(getInit().size());
    }
  }];
}

//===----------------------------------------------------------------------===//
// Differentiation requests (expanded by cotan-expand-autodiff)
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Host callbacks
//===----------------------------------------------------------------------===//

def Cotan_DebugCallbackOp : Cotan_Op<"debug_callback", [
    MemoryEffects<[MemWrite]>, Cotan_NoDerivative]> {
  let summary = "call back into the host with the current values of the operands";
  let description = [{
    When execution reaches the op, the host function registered under
    `callback` receives the values of `operands` (cotan.debug.print and
    cotan.debug.callback in Python). The op writes to the outside world,
    so it is neither removed nor reordered with other callbacks: callbacks
    run in program order, inside loops once per iteration. Derivatives
    treat it as having no effect (a gradient prints the forward values);
    under vmap it runs once per batch element. It lowers to a call of the
    external function `cotan_callback_<callback>` with the C interface.

    ```mlir
    cotan.debug_callback 3 (%x, %y : tensor<2xf32>, tensor<i32>)
    ```
  }];
  let arguments = (ins Variadic<Cotan_StaticTensor>:$operands,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$callback);
  let assemblyFormat = [{
    $callback (`(` $operands^ `:` type($operands) `)`)? attr-dict
  }];
}

def Cotan_FfiCallOp : Cotan_Op<"ffi_call", [MemoryEffects<[MemWrite]>]> {
  let summary = "call a foreign (C) function on the operands' data";
  let description = [{
    Calls the external function `target` as
    `void target(const T0 *operand0, ..., R0 *result0, ...)`: one pointer
    to each operand's contiguous row-major data, then one to each result's
    buffer, which the function fills. The shapes are static, so the
    function knows them. The call may have effects, so it is neither
    removed nor reordered with other calls. It has no derivative rules
    (give it some with custom_vjp or custom_jvp) and no batching rule
    (vmap calls it once per batch element).

    ```mlir
    %y = cotan.ffi_call "cotan_ffi_0"(%x) : (tensor<8xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Variadic<Cotan_StaticTensor>:$operands, StrAttr:$target);
  let results = (outs Variadic<Cotan_StaticTensor>:$results);
  let assemblyFormat = "$target `(` $operands `)` attr-dict `:` functional-type($operands, $results)";
}

def Cotan_CheckFiniteOp : Cotan_Op<"check_finite", [
    MemoryEffects<[MemWrite]>, Cotan_NoDerivative]> {
  let summary = "report to the host if the operand holds a NaN or an Inf";
  let description = [{
    Inserted by `cotan-check-finite` (debug_nans). When the float operand
    has a non-finite element, the compiled code calls the host function
    `cotan_nonfinite` with `check`, the number under which the pass
    recorded the op that produced the operand.

    ```mlir
    cotan.check_finite %y check = 2 : tensor<4xf32>
    ```
  }];
  let arguments = (ins Cotan_StaticFloatTensor:$operand,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$check);
  let assemblyFormat = "$operand `check` `=` $check attr-dict `:` type($operand)";
}

def Cotan_VjpOp : Cotan_Op<"vjp", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "reverse-mode derivative request: results and gradients of a call";
  let description = [{
    Calls `callee` on `primals` and pulls `cotangents` (one per callee
    result) back through it. The results are the callee's results followed
    by one gradient per primal (zeros for integer and boolean primals).
    `cotan-expand-autodiff` replaces the request by a call to a generated
    adjoint function.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<Cotan_Tensor>:$primals,
                       Variadic<Cotan_Tensor>:$cotangents);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $primals `)` `cotangents` `(` $cotangents `)` attr-dict `:` functional-type(operands, results)
  }];
}

def Cotan_JvpOp : Cotan_Op<"jvp", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "forward-mode derivative request: results and their tangents";
  let description = [{
    Calls `callee` on `primals` and pushes `tangents` (one per primal, of
    the primal's type) forward through it. The results are the callee's
    results followed by one tangent per result. `cotan-expand-autodiff`
    replaces the request by a call to a generated tangent function.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<Cotan_Tensor>:$primals,
                       Variadic<Cotan_Tensor>:$tangents);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $primals `)` `tangents` `(` $tangents `)` attr-dict `:` functional-type(operands, results)
  }];
}

def Cotan_VmapOp : Cotan_Op<"vmap", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "batching request: map a function over a leading batch dimension";
  let description = [{
    Applies `callee` to each slice of the `batched` operands along their
    leading dimension (the batch; unbatched operands are shared by every
    slice). Every result gains the leading batch dimension. `cotan-vmap`
    replaces the request by a call to a generated batched function, built
    from the ops' batching rules.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, DenseBoolArrayAttr:$batched,
                       Variadic<Cotan_Tensor>:$operands);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $operands `)` `batched` `=` $batched attr-dict `:` functional-type($operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Calls with user-defined derivative rules
//===----------------------------------------------------------------------===//

def Cotan_CustomVjpOp : Cotan_Op<"custom_vjp", [Cotan_Derivative,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a call whose reverse-mode derivative is user-defined";
  let description = [{
    Calls `callee` on `operands`. Its VJP calls `forward` (the callee's
    inputs; returns its results followed by residuals) and `backward`
    (the residuals followed by one cotangent per result; returns one
    cotangent per operand). Forward mode differentiates `callee` itself.
    cotan-expand-autodiff turns the calls that remain into `func.call`.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, FlatSymbolRefAttr:$forward,
                       FlatSymbolRefAttr:$backward,
                       Variadic<Cotan_Tensor>:$operands);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $operands `)` `fwd` $forward `bwd` $backward attr-dict `:` functional-type($operands, results)
  }];
}

def Cotan_CustomJvpOp : Cotan_Op<"custom_jvp", [Cotan_Derivative,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a call whose forward-mode derivative is user-defined";
  let description = [{
    Calls `callee` on `operands`. Its JVP calls `rule` (the operands, then
    one tangent per operand; returns the results, then one tangent per
    result). Reverse mode differentiates `callee` itself.
    cotan-expand-autodiff turns the calls that remain into `func.call`.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, FlatSymbolRefAttr:$rule,
                       Variadic<Cotan_Tensor>:$operands);
  let results = (outs Variadic<Cotan_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $operands `)` `rule` $rule attr-dict `:` functional-type($operands, results)
  }];
}

#endif // COTAN_IR_COTANOPS_TD
