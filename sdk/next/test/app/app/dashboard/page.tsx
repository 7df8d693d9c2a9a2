// Served only when the middleware does not rewrite (no snapshot yet, Worker down): the control is the default.
export { default } from './control/page';
