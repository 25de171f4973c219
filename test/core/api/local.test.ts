// The contract suite over the in-process transport.
import { transportSuite } from './contract-suite.ts';

transportSuite('the in-process transport');
