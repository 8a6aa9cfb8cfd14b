// The option checks are shared by every library and live in @score/core.
export { checkMethods, checkObject, describeValue, integerOption, numberOption, stringOption } from '@score/core';
