-- DataMigrate sample database: a small retail shop (written for DataMigrate's own tests and README).
-- Two schemas, four tables with keys, checks, defaults and collations, descriptions, views that lean
-- on T-SQL behaviour, a scalar function, an inline table-valued function, a procedure and a trigger.
CREATE SCHEMA Sales;
GO
CREATE SCHEMA Inventory;
GO

CREATE TABLE Inventory.Product (
    ProductID    int IDENTITY(1,1) NOT NULL CONSTRAINT PK_Product PRIMARY KEY CLUSTERED,
    ProductName  nvarchar(100) NOT NULL,
    Category     varchar(20) NOT NULL CONSTRAINT CK_Product_Category CHECK (Category IN ('Hardware', 'Garden', 'Kitchen')),
    Sku          char(10) COLLATE Latin1_General_CS_AS NOT NULL CONSTRAINT UQ_Product_Sku UNIQUE,
    ListPrice    money NOT NULL CONSTRAINT DF_Product_ListPrice DEFAULT (0),
    Discontinued bit NOT NULL CONSTRAINT DF_Product_Discontinued DEFAULT ((0))
);
GO

CREATE TABLE Sales.Customer (
    CustomerID int IDENTITY(1,1) NOT NULL,
    FirstName  nvarchar(50) NOT NULL,
    LastName   nvarchar(50) NOT NULL,
    Email      varchar(200) NULL,
    Region     char(2) NULL,
    CreatedAt  datetime NOT NULL CONSTRAINT DF_Customer_CreatedAt DEFAULT (GETDATE()),
    CONSTRAINT PK_Customer PRIMARY KEY CLUSTERED (CustomerID),
    CONSTRAINT UQ_Customer_Email UNIQUE (Email)
);
GO

CREATE TABLE Sales.[Order] (
    OrderID     int IDENTITY(1000,1) NOT NULL CONSTRAINT PK_Order PRIMARY KEY,
    CustomerID  int NOT NULL CONSTRAINT FK_Order_Customer REFERENCES Sales.Customer (CustomerID),
    OrderDate   datetime NOT NULL,
    ShippedDate datetime NULL,
    Status      varchar(10) NOT NULL CONSTRAINT DF_Order_Status DEFAULT ('open'),
    Comment     nvarchar(max) NULL,
    CONSTRAINT CK_Order_Status CHECK (Status IN ('open', 'shipped', 'cancelled'))
);
GO

CREATE TABLE Sales.OrderLine (
    OrderID    int NOT NULL,
    LineNumber smallint NOT NULL,
    ProductID  int NOT NULL,
    Quantity   int NOT NULL CONSTRAINT CK_OrderLine_Quantity CHECK (Quantity > 0),
    UnitPrice  decimal(10, 2) NOT NULL,
    CONSTRAINT PK_OrderLine PRIMARY KEY (OrderID, LineNumber),
    CONSTRAINT FK_OrderLine_Order FOREIGN KEY (OrderID) REFERENCES Sales.[Order] (OrderID) ON DELETE CASCADE,
    CONSTRAINT FK_OrderLine_Product FOREIGN KEY (ProductID) REFERENCES Inventory.Product (ProductID)
);
GO

CREATE NONCLUSTERED INDEX IX_Order_CustomerID ON Sales.[Order] (CustomerID) INCLUDE (OrderDate);
GO

EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'People and companies who buy from the shop.',
    @level0type = N'SCHEMA', @level0name = N'Sales', @level1type = N'TABLE', @level1name = N'Customer';
EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'Contact address; unique when given.',
    @level0type = N'SCHEMA', @level0name = N'Sales', @level1type = N'TABLE', @level1name = N'Customer',
    @level2type = N'COLUMN', @level2name = N'Email';
EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'One row per order; lines are in OrderLine.',
    @level0type = N'SCHEMA', @level0name = N'Sales', @level1type = N'TABLE', @level1name = N'Order';
EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'Everything the shop sells, current or not.',
    @level0type = N'SCHEMA', @level0name = N'Inventory', @level1type = N'TABLE', @level1name = N'Product';
EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'Stock keeping unit; case-sensitive.',
    @level0type = N'SCHEMA', @level0name = N'Inventory', @level1type = N'TABLE', @level1name = N'Product',
    @level2type = N'COLUMN', @level2name = N'Sku';
GO
