-- Functions, a procedure and a trigger.
CREATE FUNCTION dbo.fn_LineTotal (@Quantity int, @UnitPrice decimal(10, 2))
RETURNS decimal(12, 2)
AS
BEGIN
    RETURN @Quantity * @UnitPrice;
END;
GO

CREATE FUNCTION Sales.fn_OrdersForCustomer (@CustomerID int)
RETURNS TABLE
AS
RETURN
(
    SELECT o.OrderID, o.OrderDate, o.Status
    FROM Sales.[Order] AS o
    WHERE o.CustomerID = @CustomerID
);
GO

CREATE PROCEDURE Sales.usp_ShipOrder @OrderID int, @ShippedDate datetime = NULL
AS
BEGIN
    SET NOCOUNT ON;
    UPDATE Sales.[Order]
    SET ShippedDate = ISNULL(@ShippedDate, GETDATE()), Status = 'shipped'
    WHERE OrderID = @OrderID AND Status = 'open';
    IF @@ROWCOUNT = 0
        RAISERROR('order %d is not open', 16, 1, @OrderID);
END;
GO

CREATE TRIGGER Sales.trg_Order_NoReopen ON Sales.[Order]
AFTER UPDATE
AS
BEGIN
    IF EXISTS (SELECT 1 FROM inserted i JOIN deleted d ON d.OrderID = i.OrderID WHERE d.Status = 'shipped' AND i.Status = 'open')
    BEGIN
        RAISERROR('a shipped order cannot be reopened', 16, 1);
        ROLLBACK TRANSACTION;
    END;
END;
GO
