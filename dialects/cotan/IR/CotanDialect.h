//===- CotanDialect.h - cotan dialect ---------------------------*- C++ -*-===//
#ifndef COTAN_IR_COTANDIALECT_H
#define COTAN_IR_COTANDIALECT_H

#include "mlir/IR/Dialect.h"

#include "cotan/IR/CotanDialect.h.inc"

#endif // COTAN_IR_COTANDIALECT_H
