import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerRefModel, ProductModel, OrderModel, OrderLineModel, InvoiceModel } from '../models.js';
import type { ErpContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Calendar date without a time, as an ISO 8601 string, e.g. "2026-06-30". */
  Date: { input: string; output: string; }
  /** An instant in time, as an ISO 8601 string in UTC, e.g. "2026-06-30T12:00:00.000Z". */
  DateTime: { input: string; output: string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** Who may be served a cached value: anyone (PUBLIC) or only the user it was fetched for (PRIVATE). Used by @cacheControl only, so kept out of the API schema. */
export type CacheControlScope =
  /** Only the user it was fetched for. */
  | 'PRIVATE'
  /** Anyone. */
  | 'PUBLIC';

/** A new sales order. */
export type CreateSalesOrderInput = {
  /** The customer placing the order (CRM company id). */
  customerId: Scalars['ID']['input'];
  /**
   * A key the client makes once per order it means to place (a UUID, 8 to 255
   * characters). Sending the same order again with the same key returns the order the
   * first request made and never creates a second one, also when the first answer was
   * lost; the same key with other lines is refused (BAD_USER_INPUT). Without a key, an
   * order whose answer was lost cannot be told apart from one never made: send one.
   */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** The order's lines: at least one, at most 100. */
  lines: Array<OrderLineInput>;
};

/** The result of createSalesOrder. */
export type CreateSalesOrderPayload = {
  __typename?: 'CreateSalesOrderPayload';
  /** The order as the ERP recorded it. */
  order: Order;
};

/** ISO 4217 currency codes the backing systems bill in. */
export type CurrencyCode =
  /** Euro */
  | 'EUR'
  /** Pound sterling */
  | 'GBP'
  /** US dollar */
  | 'USD';

/**
 * A customer, as the ERP knows it: its orders and invoices. The id is the CRM company id,
 * which the ERP keeps in the partner's reference.
 */
export type Customer = {
  __typename?: 'Customer';
  /** The CRM company id. */
  id: Scalars['ID']['output'];
  /** The customer's invoices, newest first; null when the ERP could not be reached. */
  invoices?: Maybe<InvoiceConnection>;
  /** The customer's sales orders, newest first; null when the ERP could not be reached. */
  orders?: Maybe<OrderConnection>;
  /** What the customer still owes on its invoices, in its billing currency. */
  outstandingBalance?: Maybe<Money>;
};


/**
 * A customer, as the ERP knows it: its orders and invoices. The id is the CRM company id,
 * which the ERP keeps in the partner's reference.
 */
export type CustomerInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<InvoiceStatus>>;
};


/**
 * A customer, as the ERP knows it: its orders and invoices. The id is the CRM company id,
 * which the ERP keeps in the partner's reference.
 */
export type CustomerOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<OrderStatus>;
};

/** A customer invoice in the ERP. */
export type Invoice = {
  __typename?: 'Invoice';
  /** What is left to pay. */
  amountDue: Money;
  /** The customer billed. */
  customer: Customer;
  /** The day payment is due. */
  dueAt: Scalars['Date']['output'];
  /** The ERP invoice id. */
  id: Scalars['ID']['output'];
  /** The day the invoice was issued. */
  issuedAt: Scalars['Date']['output'];
  /** The invoice number, e.g. INV/2026/00042. */
  number: Scalars['String']['output'];
  /** The order this invoice bills, when there is one. */
  order?: Maybe<Order>;
  /** Whether the invoice is paid. */
  status: InvoiceStatus;
  /** The invoice's total. */
  total: Money;
};

/** A page of invoices. */
export type InvoiceConnection = {
  __typename?: 'InvoiceConnection';
  /** The invoices of this page, each with its cursor. */
  edges: Array<InvoiceEdge>;
  /** The invoices of this page. */
  nodes: Array<Invoice>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many invoices match, in all pages. */
  totalCount: Scalars['Int']['output'];
};

/** An invoice and its cursor. */
export type InvoiceEdge = {
  __typename?: 'InvoiceEdge';
  /** Pass as `after` to start the next page after this invoice. */
  cursor: Scalars['String']['output'];
  /** The invoice. */
  node: Invoice;
};

/** Whether an invoice has been paid. */
export type InvoiceStatus =
  /** Nothing paid yet, and not yet due. */
  | 'OPEN'
  /** Nothing or part paid, and past its due date. */
  | 'OVERDUE'
  /** Paid in full. */
  | 'PAID'
  /** Part paid, not yet due. */
  | 'PARTIALLY_PAID';

/** An amount of money: never a float, always whole minor units with their currency. */
export type Money = {
  __typename?: 'Money';
  /** The amount in the currency's minor units (cents for USD and EUR, pence for GBP). */
  amount: Scalars['Int']['output'];
  /** The currency of the amount. */
  currency: CurrencyCode;
  /** The amount formatted for display in English, e.g. "$1,234.50". */
  formatted: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Creates a confirmed sales order in the ERP at list prices. */
  createSalesOrder: CreateSalesOrderPayload;
};


export type MutationCreateSalesOrderArgs = {
  input: CreateSalesOrderInput;
};

/** A sales order (or quotation) in the ERP. */
export type Order = {
  __typename?: 'Order';
  /** The customer who placed the order. */
  customer: Customer;
  /** The ERP sales order id. */
  id: Scalars['ID']['output'];
  /** Invoices raised for this order. */
  invoices?: Maybe<Array<Invoice>>;
  /** The order's lines. */
  lines: Array<OrderLine>;
  /** The order number, e.g. S00042. */
  number: Scalars['String']['output'];
  /** When the order was placed. */
  placedAt: Scalars['DateTime']['output'];
  /** Where the order is in its life. */
  status: OrderStatus;
  /** The order's total, taxes included. */
  total: Money;
};

/** A page of orders. */
export type OrderConnection = {
  __typename?: 'OrderConnection';
  /** The orders of this page, each with its cursor. */
  edges: Array<OrderEdge>;
  /** The orders of this page. */
  nodes: Array<Order>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many orders match, in all pages. */
  totalCount: Scalars['Int']['output'];
};

/** An order and its cursor. */
export type OrderEdge = {
  __typename?: 'OrderEdge';
  /** Pass as `after` to start the next page after this order. */
  cursor: Scalars['String']['output'];
  /** The order. */
  node: Order;
};

/** One product on an order. */
export type OrderLine = {
  __typename?: 'OrderLine';
  /** The ERP order line id. */
  id: Scalars['ID']['output'];
  /** The product ordered. */
  product: Product;
  /** How many units. */
  quantity: Scalars['Int']['output'];
  /** quantity times unitPrice. */
  subtotal: Money;
  /** Price per unit on this order. */
  unitPrice: Money;
};

/** One line of a new sales order. */
export type OrderLineInput = {
  /** The product to order. */
  productId: Scalars['ID']['input'];
  /** How many units, from 1 to 10,000. */
  quantity: Scalars['Int']['input'];
};

/** Where a sales order is in its life. */
export type OrderStatus =
  /** Cancelled. */
  | 'CANCELLED'
  /** A confirmed sales order. */
  | 'CONFIRMED'
  /** A quotation being prepared. */
  | 'DRAFT'
  /** A quotation sent to the customer. */
  | 'SENT';

/** Where a page of a connection sits in the whole list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last item of this page: pass it as `after` to get the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** A product in the ERP's catalog. */
export type Product = {
  __typename?: 'Product';
  /** The product's category. */
  category?: Maybe<Scalars['String']['output']>;
  /** The ERP product id. */
  id: Scalars['ID']['output'];
  /** True when at least one unit is on hand. */
  inStock: Scalars['Boolean']['output'];
  /** The product's name. */
  name: Scalars['String']['output'];
  /** List price per unit, in the company currency (USD). */
  price: Money;
  /** Stock keeping unit, the product's internal reference. */
  sku: Scalars['String']['output'];
  /** Units on hand in the warehouse now. */
  stockOnHand: Scalars['Int']['output'];
};

/** A page of products. */
export type ProductConnection = {
  __typename?: 'ProductConnection';
  /** The products of this page, each with its cursor. */
  edges: Array<ProductEdge>;
  /** The products of this page. */
  nodes: Array<Product>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many products match, in all pages. */
  totalCount: Scalars['Int']['output'];
};

/** A product and its cursor. */
export type ProductEdge = {
  __typename?: 'ProductEdge';
  /** Pass as `after` to start the next page after this product. */
  cursor: Scalars['String']['output'];
  /** The product. */
  node: Product;
};

export type Query = {
  __typename?: 'Query';
  /** An invoice by its ERP id; null when there is none. */
  invoice?: Maybe<Invoice>;
  /** A sales order by its ERP id; null when there is none. */
  order?: Maybe<Order>;
  /** A product by its ERP id; null when there is none. */
  product?: Maybe<Product>;
  /** The catalog, a page at a time, optionally searched by name or SKU. */
  products: ProductConnection;
};


export type QueryInvoiceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryProductArgs = {
  id: Scalars['ID']['input'];
};


export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  inStockOnly?: InputMaybe<Scalars['Boolean']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Customer: Customer;
  Invoice: Invoice;
  Order: Order;
  Product: Product;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Customer:
    ( { __typename: 'Customer' }
    & GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}> );
  Invoice:
    ( { __typename: 'Invoice' }
    & GraphQLRecursivePick<FederationTypes['Invoice'], {"id":true}> );
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
  Product:
    ( { __typename: 'Product' }
    & GraphQLRecursivePick<FederationTypes['Product'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CacheControlScope: CacheControlScope;
  CreateSalesOrderInput: CreateSalesOrderInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  CreateSalesOrderPayload: ResolverTypeWrapper<Omit<CreateSalesOrderPayload, 'order'> & { order: ResolversTypes['Order'] }>;
  CurrencyCode: CurrencyCode;
  Customer: ResolverTypeWrapper<CustomerRefModel>;
  Date: ResolverTypeWrapper<Scalars['Date']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Invoice: ResolverTypeWrapper<InvoiceModel>;
  InvoiceConnection: ResolverTypeWrapper<Omit<InvoiceConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['InvoiceEdge']>, nodes: Array<ResolversTypes['Invoice']> }>;
  InvoiceEdge: ResolverTypeWrapper<Omit<InvoiceEdge, 'node'> & { node: ResolversTypes['Invoice'] }>;
  InvoiceStatus: InvoiceStatus;
  Money: ResolverTypeWrapper<Money>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Order: ResolverTypeWrapper<OrderModel>;
  OrderConnection: ResolverTypeWrapper<Omit<OrderConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['OrderEdge']>, nodes: Array<ResolversTypes['Order']> }>;
  OrderEdge: ResolverTypeWrapper<Omit<OrderEdge, 'node'> & { node: ResolversTypes['Order'] }>;
  OrderLine: ResolverTypeWrapper<OrderLineModel>;
  OrderLineInput: OrderLineInput;
  OrderStatus: OrderStatus;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Product: ResolverTypeWrapper<ProductModel>;
  ProductConnection: ResolverTypeWrapper<Omit<ProductConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['ProductEdge']>, nodes: Array<ResolversTypes['Product']> }>;
  ProductEdge: ResolverTypeWrapper<Omit<ProductEdge, 'node'> & { node: ResolversTypes['Product'] }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  CreateSalesOrderInput: CreateSalesOrderInput;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  CreateSalesOrderPayload: Omit<CreateSalesOrderPayload, 'order'> & { order: ResolversParentTypes['Order'] };
  Customer: CustomerRefModel;
  Date: Scalars['Date']['output'];
  DateTime: Scalars['DateTime']['output'];
  Invoice: InvoiceModel;
  InvoiceConnection: Omit<InvoiceConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['InvoiceEdge']>, nodes: Array<ResolversParentTypes['Invoice']> };
  InvoiceEdge: Omit<InvoiceEdge, 'node'> & { node: ResolversParentTypes['Invoice'] };
  Money: Money;
  Mutation: Record<PropertyKey, never>;
  Order: OrderModel;
  OrderConnection: Omit<OrderConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['OrderEdge']>, nodes: Array<ResolversParentTypes['Order']> };
  OrderEdge: Omit<OrderEdge, 'node'> & { node: ResolversParentTypes['Order'] };
  OrderLine: OrderLineModel;
  OrderLineInput: OrderLineInput;
  PageInfo: PageInfo;
  Product: ProductModel;
  ProductConnection: Omit<ProductConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['ProductEdge']>, nodes: Array<ResolversParentTypes['Product']> };
  ProductEdge: Omit<ProductEdge, 'node'> & { node: ResolversParentTypes['Product'] };
  Query: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = ErpContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type CreateSalesOrderPayloadResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['CreateSalesOrderPayload'] = ResolversParentTypes['CreateSalesOrderPayload']> = ResolversObject<{
  order?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
}>;

export type CustomerResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invoices?: Resolver<Maybe<ResolversTypes['InvoiceConnection']>, ParentType, ContextType, RequireFields<CustomerInvoicesArgs, 'first'>>;
  orders?: Resolver<Maybe<ResolversTypes['OrderConnection']>, ParentType, ContextType, RequireFields<CustomerOrdersArgs, 'first'>>;
  outstandingBalance?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
}>;

export interface DateScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Date'], any> {
  name: 'Date';
}

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type InvoiceResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Invoice'] = ResolversParentTypes['Invoice'], FederationReferenceType extends FederationReferenceTypes['Invoice'] = FederationReferenceTypes['Invoice']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Invoice']> | FederationReferenceType, FederationReferenceType, ContextType>;
  amountDue?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
  dueAt?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  issuedAt?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  number?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['InvoiceStatus'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
}>;

export type InvoiceConnectionResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['InvoiceConnection'] = ResolversParentTypes['InvoiceConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['InvoiceEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Invoice']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type InvoiceEdgeResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['InvoiceEdge'] = ResolversParentTypes['InvoiceEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Invoice'], ParentType, ContextType>;
}>;

export type MoneyResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = ResolversObject<{
  amount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['CurrencyCode'], ParentType, ContextType>;
  formatted?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  createSalesOrder?: Resolver<ResolversTypes['CreateSalesOrderPayload'], ParentType, ContextType, RequireFields<MutationCreateSalesOrderArgs, 'input'>>;
}>;

export type OrderResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invoices?: Resolver<Maybe<Array<ResolversTypes['Invoice']>>, ParentType, ContextType>;
  lines?: Resolver<Array<ResolversTypes['OrderLine']>, ParentType, ContextType>;
  number?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  placedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
}>;

export type OrderConnectionResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['OrderConnection'] = ResolversParentTypes['OrderConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['OrderEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Order']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type OrderEdgeResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['OrderEdge'] = ResolversParentTypes['OrderEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
}>;

export type OrderLineResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['OrderLine'] = ResolversParentTypes['OrderLine']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subtotal?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  unitPrice?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ProductResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product'], FederationReferenceType extends FederationReferenceTypes['Product'] = FederationReferenceTypes['Product']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Product']> | FederationReferenceType, FederationReferenceType, ContextType>;
  category?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inStock?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  price?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  sku?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  stockOnHand?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ProductConnectionResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['ProductConnection'] = ResolversParentTypes['ProductConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ProductEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Product']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ProductEdgeResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['ProductEdge'] = ResolversParentTypes['ProductEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = ErpContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  invoice?: Resolver<Maybe<ResolversTypes['Invoice']>, ParentType, ContextType, RequireFields<QueryInvoiceArgs, 'id'>>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType, RequireFields<QueryOrderArgs, 'id'>>;
  product?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<QueryProductArgs, 'id'>>;
  products?: Resolver<ResolversTypes['ProductConnection'], ParentType, ContextType, RequireFields<QueryProductsArgs, 'first' | 'inStockOnly'>>;
}>;

export type Resolvers<ContextType = ErpContext> = ResolversObject<{
  CreateSalesOrderPayload?: CreateSalesOrderPayloadResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  Date?: GraphQLScalarType;
  DateTime?: GraphQLScalarType;
  Invoice?: InvoiceResolvers<ContextType>;
  InvoiceConnection?: InvoiceConnectionResolvers<ContextType>;
  InvoiceEdge?: InvoiceEdgeResolvers<ContextType>;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderConnection?: OrderConnectionResolvers<ContextType>;
  OrderEdge?: OrderEdgeResolvers<ContextType>;
  OrderLine?: OrderLineResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductConnection?: ProductConnectionResolvers<ContextType>;
  ProductEdge?: ProductEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = ErpContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
